using System.Text.Json.Nodes;
using Bot.Host.Scheduling;
using Bot.Testing.FakeDiscord;
using Bot.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Bot.Host.Tests.Scheduling.Seed;

namespace Bot.Host.Tests.Scheduling;

/// <summary>Scheduled posts through the bot's REST client to the fake Discord (which validates the requests).</summary>
public sealed class FakeDiscordSchedulingTests
{
    private static Dictionary<string, string?> Settings(FakeDiscordServer fake, ulong teamChannel) => new()
    {
        ["Discord:Token"] = fake.Token,
        ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl,
        ["Discord:ConnectGateway"] = "false",
        ["Discord:RetryBaseDelay"] = "00:00:00.020",
        ["Discord:TeamChannelId"] = teamChannel.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Discord:GuildId"] = fake.GuildId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Discord:ContractorRoleIds:0"] = "3001",
        ["Scheduler:DeadlineSweepSeconds"] = "3600",
        ["Scheduler:ReminderSweepSeconds"] = "3600",
    };

    [Fact]
    public async Task Scheduled_digest_appears_in_the_team_channel_with_its_chart()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        var team = fake.CreateChannel("team");
        await using var db = await PostgresDatabase.CreateAsync();
        var s = new Seed(db.DataSource);
        long run = await s.RunAsync("alpha", "m1", "completed", At(1, 1, 1), At(1, 1, 5), 1);
        long step = await s.StepAsync(run, 1, At(1, 1, 1), At(1, 1, 1, 10), "consensus", 1);
        await s.VoteAsync(step, 101, 1, At(1, 1, 1, 5));
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 8, 59, 50, TimeSpan.Zero));
        await using var node = await SchedulerNode.CreateAsync(db.Database, clock, null, Settings(fake, team.Id));
        await node.Scheduler.Start();

        clock.Advance(TimeSpan.FromSeconds(15));
        await fake.WaitForAsync(() => fake.MessagesIn(team.Id).Count > 0, TimeSpan.FromSeconds(60), "the digest");

        var message = Assert.Single(fake.MessagesIn(team.Id));
        Assert.Contains("**Runs:** 1 started · 1 completed · 1 succeeded · 0 failed", message.Content);
        Assert.True(message.Files.TryGetValue("digest.png", out var png));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png![..4]);
        var request = fake.Rest.Requests.Single(r => r.Method == "POST" && r.Path == $"channels/{team.Id}/messages");
        Assert.Equal(1, request.FileCount);
        Assert.Equal(0, (request.Body?["allowed_mentions"]?["parse"] as JsonArray)?.Count);
        Assert.Null(request.Body?["allowed_mentions"]?["roles"]);
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Reminder_alone_allows_the_contractor_role_mention()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        var thread = fake.CreateChannel("run-thread");
        await using var db = await PostgresDatabase.CreateAsync();
        var s = new Seed(db.DataSource);
        long run = await s.RunAsync("alpha", "m1", "voting", At(3, 1, 9), At(3, 1, 10), 1, thread: thread.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await s.StepAsync(run, 1, At(3, 1, 10), messageId: "123456789");
        await using var node = await SchedulerNode.CreateAsync(db.Database, new FakeTimeProvider(new DateTimeOffset(At(3, 1, 12))), null, Settings(fake, 1));

        Assert.Equal(1, await node.Services.GetRequiredService<ReminderSweeper>().SweepAsync());

        var message = Assert.Single(fake.MessagesIn(thread.Id));
        Assert.StartsWith("<@&3001>", message.Content);
        Assert.Contains($"/channels/{fake.GuildId}/{thread.Id}/123456789", message.Content);
        var request = fake.Rest.Requests.Single(r => r.Method == "POST" && r.Path == $"channels/{thread.Id}/messages");
        Assert.Equal(0, (request.Body?["allowed_mentions"]?["parse"] as JsonArray)?.Count);
        Assert.Equal("3001", request.Body?["allowed_mentions"]?["roles"]?[0]?.ToString());
        fake.AssertNoViolations();
    }
}
