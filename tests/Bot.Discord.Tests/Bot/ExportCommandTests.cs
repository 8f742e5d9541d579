using System.Text.Json.Nodes;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Commands;
using Bot.Discord.Bot.Interactions;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Discord.Tests.Bot;

/// <summary><c>/export</c>: the file arrives attached to the answer, or the answer says how to get it.</summary>
public sealed class ExportCommandTests : IAsyncLifetime
{
    private readonly BotHarness h = new();

    public Task InitializeAsync() => h.InitializeAsync();

    public Task DisposeAsync() => h.DisposeAsync();

    [Fact]
    public async Task A_researchers_export_is_attached_to_the_answer_and_a_contractor_is_refused()
    {
        var run = await h.VotingRunAsync(candidates: 2, quorum: 3);
        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, $"vote:{run.Step}:1", FakeUser.Alice, BotHarness.Contractor);
        await h.Fake.WaitForResponseAsync(click);
        Assert.Single(await h.VotesAsync(run.Step));

        var refused = await h.Fake.SlashCommandAsync(h.Fake.DefaultChannelId, "export", [FakeDiscordServer.Option("format", "csv")], FakeUser.Alice, BotHarness.Contractor);
        Assert.Contains("Only researchers", (await h.Fake.WaitForResponseAsync(refused))["data"]?["content"]?.GetValue<string>());

        var export = await h.Fake.SlashCommandAsync(h.Fake.DefaultChannelId, "export",
            [FakeDiscordServer.Option("format", "csv"), FakeDiscordServer.Option("task", "fix-the-build")], FakeUser.Carol, BotHarness.Researcher);
        await h.Fake.WaitForAsync(() => export.OriginalMessageId is { } m && h.Fake.Message(m)?.Content?.StartsWith("Exported", StringComparison.Ordinal) == true,
            what: "the export answer");
        var answer = h.Fake.Message(export.OriginalMessageId!.Value)!;
        Assert.Contains("Exported 1 rows (1 steps of 1 top-level runs; 1 still in progress and marked so)", answer.Content);
        var (name, bytes) = Assert.Single(answer.Files);
        Assert.EndsWith(".csv", name);
        var csv = System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length);
        Assert.StartsWith("vote,", csv[1]);
        Assert.DoesNotContain(BotHarness.Voter(FakeUser.Alice), csv[1]);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task An_export_over_the_upload_limit_answers_with_the_command_line_that_writes_it()
    {
        await h.VotingRunAsync();
        using var scope = h.Services.CreateScope();
        var handler = scope.ServiceProvider.GetRequiredService<ExportCommandHandler>();
        var interaction = new Interaction
        {
            Id = 1, ApplicationId = 2, Type = InteractionType.ApplicationCommand, Token = "t",
            Member = new GuildMember { User = new User { Id = FakeUser.Carol.Id }, Roles = BotHarness.Researcher },
            AttachmentSizeLimit = 200,
            Data = new InteractionData
            {
                Name = "export",
                Options = [Opt("format", "steps"), Opt("task", "fix-the-build"), Opt("days", 7L)],
            },
        };
        var answer = await handler.HandleAsync(interaction, CommandOptions.From(interaction.Data));

        var reply = await answer.Deferred!(CancellationToken.None);
        Assert.Empty(reply.Files);
        Assert.Contains("larger than Discord lets the bot attach here", reply.Text);
        Assert.Matches(@"\./run\.sh export --format steps --task fix-the-build --from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ --to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reply.Text);
    }

    [Fact]
    public void The_cli_line_quotes_names_a_shell_would_split()
    {
        var filter = ExportFilter.All with { Tasks = ["it's; rm -rf /"], IncludeForks = false };
        var line = ExportCommandHandler.CommandLine("inspect", filter, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(@"./run.sh export --format inspect --task 'it'\''s; rm -rf /' --to 2026-03-01T00:00:00Z --no-forks", line);
    }

    private static InteractionOption Opt(string name, object value) => new()
    {
        Name = name,
        Type = value is long ? 4 : 3,
        Value = System.Text.Json.JsonSerializer.SerializeToElement(value),
    };
}
