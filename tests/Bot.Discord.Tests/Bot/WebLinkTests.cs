using System.Text.Json.Nodes;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Commands;
using Bot.Discord.Bot.Rendering;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Discord.Tests.Bot;

/// <summary>The bot with the web view's ports as the host registers them when Web:PublicUrl is set.</summary>
public sealed class WebLinkHarness : BotHarness
{
    public RecordingSignIn SignIn { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IWebSignIn>(SignIn);
        services.AddSingleton<IWebPageLinks, PublicPages>();
    }

    public sealed class RecordingSignIn : IWebSignIn
    {
        public List<(ActorId Actor, WebRole Role)> Made { get; } = [];

        public TimeSpan LinkLifetime => TimeSpan.FromMinutes(10);

        public Uri CreateLink(ActorId actor, WebRole role)
        {
            lock (Made) Made.Add((actor, role));
            return new Uri($"https://bot.example.org/signin?token=t-{actor.Value.Replace(':', '-')}");
        }
    }

    private sealed class PublicPages : IWebPageLinks
    {
        public Uri RunPage(RunId runId) => new($"https://bot.example.org/runs/{runId}");

        public Uri StepPage(RunId runId, int stepNumber) => new($"https://bot.example.org/runs/{runId}/steps/{stepNumber}");
    }
}

public sealed class WebLinkTests(WebLinkHarness h) : IClassFixture<WebLinkHarness>
{
    private static IEnumerable<JsonObject> LinkButtons(JsonObject message) =>
        (message["components"]?.AsArray() ?? []).SelectMany(row => row!["components"]!.AsArray()).Select(c => c!.AsObject()).Where(c => c["style"]!.GetValue<int>() == (int)ButtonStyle.Link);

    [Fact]
    public async Task Web_answers_a_researcher_privately_with_a_link_made_for_them_as_researcher()
    {
        var asked = await h.Fake.SlashCommandAsync(h.Fake.DefaultChannelId, SlashCommands.Web, user: FakeUser.Carol, roles: BotHarness.Researcher);

        var response = await h.Fake.WaitForResponseAsync(asked);

        var data = response["data"]!.AsObject();
        Assert.Equal((int)MessageFlags.Ephemeral, data["flags"]!.GetValue<int>() & (int)MessageFlags.Ephemeral);
        Assert.Contains("as researcher", data["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var button = Assert.Single(LinkButtons(data));
        Assert.Equal($"https://bot.example.org/signin?token=t-discord-{FakeUser.Carol.Id}", button["url"]!.GetValue<string>());
        Assert.Contains((ActorId.Discord(FakeUser.Carol.Id), WebRole.Researcher), h.SignIn.Made);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Web_refuses_someone_without_a_role_and_makes_no_link_for_them()
    {
        var asked = await h.Fake.SlashCommandAsync(h.Fake.DefaultChannelId, SlashCommands.Web, user: FakeUser.Bob, roles: []);

        var response = await h.Fake.WaitForResponseAsync(asked);

        Assert.Contains("Only contractors and researchers", response["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(LinkButtons(response["data"]!.AsObject()));
        Assert.DoesNotContain(h.SignIn.Made, m => m.Actor == ActorId.Discord(FakeUser.Bob.Id));
    }

    [Fact]
    public async Task Task_cards_and_step_messages_carry_a_button_to_their_page()
    {
        var run = await h.VotingRunAsync();

        var step = h.Fake.Store.FindMessage(run.Message)!;
        var stepButton = Assert.Single(LinkButtons(step.Json));
        Assert.Equal($"https://bot.example.org/runs/{run.Run}/steps/1", stepButton["url"]!.GetValue<string>());
        Assert.Equal(WebPageButton.Label, stepButton["label"]!.GetValue<string>());
        var card = h.Fake.Store.MessagesIn(run.Thread).First(m => m.FromBot);
        Assert.Equal($"https://bot.example.org/runs/{run.Run}", Assert.Single(LinkButtons(card.Json))["url"]!.GetValue<string>());

        // A vote re-renders the message in place (by its render work): the button stays.
        var vote = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Alice, BotHarness.Contractor);
        await h.Fake.WaitForResponseAsync(vote);
        var edits = h.Fake.Message(run.Message)!.EditCount;
        await h.RunPendingRenderWorkAsync();
        var edited = h.Fake.Message(run.Message)!;
        Assert.True(edited.EditCount > edits, "the vote's render work edited the step message");
        Assert.Single(LinkButtons(edited.Json));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public void A_message_with_all_five_rows_taken_gets_the_page_as_its_title_link_instead()
    {
        var rows = Enumerable.Range(0, WebPageButton.MaxRows).Select(i => Component.ActionRow(Component.Button($"b{i}", "x"))).ToList();
        var full = new RenderedMessage(new MessageCreate { Embeds = [new Embed { Title = "Step 1" }], Components = rows }, []);
        var page = new Uri("https://bot.example.org/runs/1/steps/1");

        var linked = WebPageButton.Add(full, page);

        Assert.Equal(WebPageButton.MaxRows, linked.Message.Components!.Count);
        Assert.Equal(page.ToString(), linked.Message.Embeds![0].Url);
        Assert.Same(full, WebPageButton.Add(full, null));
    }
}
