using System.Text.Json.Nodes;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data.Stores;
using Bot.Data.Work;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Presenting;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Discord.Tests.Bot;

/// <summary>The bot with one calibration post after every three live steps.</summary>
public sealed class EveryThirdStepHarness : BotHarness
{
    protected override void ConfigureServices(IServiceCollection services) => services.Configure<GoldOptions>(o => o.CalibrationEvery = 3);
}

/// <summary>The bot with calibration off, so a test plans its post itself.</summary>
public sealed class CalibrationOffHarness : BotHarness
{
    protected override void ConfigureServices(IServiceCollection services) => services.Configure<GoldOptions>(o => o.CalibrationEvery = 0);
}

internal static class Calibration
{
    /// <summary>A run whose step 1 was posted live, then decided for #2 and marked gold with #3.</summary>
    public static async Task<VotingRun> GoldRunAsync(BotHarness h)
    {
        var run = await h.VotingRunAsync();
        var decided = await h.Get<RunCommandProcessor>().HandleAsync(run.Run, new OverrideDecision(ActorId.Discord(FakeUser.Carol.Id), 1, 2));
        Assert.True(decided.IsSuccess, decided.Error?.ToString());
        Assert.True((await h.Get<IGoldSteps>().MarkAsync(run.Step, 3, ActorId.Discord(FakeUser.Carol.Id))).IsSuccess);
        return run;
    }

    /// <summary>Performs the pending calibration post work items as the worker does; returns how many there were.</summary>
    public static async Task<int> PostPendingAsync(BotHarness h)
    {
        var queue = h.Get<WorkQueue>();
        var handler = ActivatorUtilities.CreateInstance<PostCalibrationHandler>(h.Services);
        var claimed = (await queue.ClaimAsync("test-worker", 100)).Where(c => c.Item is PostCalibrationWork).ToList();
        foreach (var item in claimed)
        {
            var done = await handler.HandleAsync(item.Item, new WorkContext(item.Id, item.Attempt, item.IdempotencyKey, "test-worker"));
            Assert.True(done.IsSuccess, done.Error?.ToString());
            Assert.True(await queue.CompleteAsync(item.Id, "test-worker"));
        }
        return claimed.Count;
    }

    /// <summary>The message with the custom ids stripped: what a person sees.</summary>
    public static string Looks(JsonArray components) => Strip(components.DeepClone(), "custom_id").ToJsonString();

    public static JsonNode Strip(JsonNode node, string property)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove(property);
                foreach (var (_, value) in o) if (value is not null) Strip(value, property);
                break;
            case JsonArray a:
                foreach (var item in a) if (item is not null) Strip(item, property);
                break;
        }
        return node;
    }
}

/// <summary>Calibration posts appear after every N live steps and look like live steps.</summary>
public sealed class CalibrationPostingTests(EveryThirdStepHarness h) : IClassFixture<EveryThirdStepHarness>
{
    [Fact]
    public async Task A_gold_step_is_posted_again_after_every_third_live_step_looking_like_a_live_step()
    {
        var gold = await Calibration.GoldRunAsync(h);   // live step 1
        var live = h.Fake.Message(gold.Message)!.Json.DeepClone().AsObject();
        await h.VotingRunAsync();                          // live step 2
        Assert.Equal(0, await h.CountAsync("SELECT count(*) FROM calibration_posts"));
        await h.VotingRunAsync();                          // live step 3: one post is due

        Assert.Equal(1, await Calibration.PostPendingAsync(h));

        var post = Assert.Single(h.Fake.MessagesIn(h.Fake.DefaultChannelId), m => m.CustomIds().Any(id => id.StartsWith("ballot:", StringComparison.Ordinal)));
        long postId = await h.CountAsync("SELECT id FROM calibration_posts");
        Assert.Equal(DiscordRefs.Of(post.Id).Value, (await h.Get<ICalibration>().GetPostAsync(postId)).Value.Message!.Value.Value);
        // The same buttons in the same places, with the same labels and styles; only the ids differ.
        Assert.Equal(Calibration.Looks(live["components"]!.AsArray()), Calibration.Looks(post.Components));
        Assert.All(post.CustomIds(), id => Assert.True(id.StartsWith("ballot:", StringComparison.Ordinal) || id.StartsWith("aside:", StringComparison.Ordinal), id));
        // The same embed as the live message showed (status, observation, candidates), but for the footer's revision.
        var shown = post.Json["embeds"]![0]!.DeepClone().AsObject();
        var then = live["embeds"]![0]!.DeepClone().AsObject();
        shown.Remove("footer");
        then.Remove("footer");
        Assert.Equal(then.ToJsonString(), shown.ToJsonString());
        Assert.DoesNotContain("Chosen", shown.ToJsonString(), StringComparison.Ordinal);
        h.Fake.AssertNoViolations();
    }
}

/// <summary>Votes on a calibration post are answers: confirmed like votes, and the original run never hears of them.</summary>
public sealed class CalibrationAnswerTests(CalibrationOffHarness h) : IClassFixture<CalibrationOffHarness>
{
    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";

    private async Task<(VotingRun Gold, long Post, FakeMessage Message)> PostedAsync()
    {
        var gold = await Calibration.GoldRunAsync(h);
        await h.VotingRunAsync();
        long post = (await h.Get<ICalibration>().PlanAfterLiveStepAsync(1)).Value!.Value;
        Assert.Equal(1, await Calibration.PostPendingAsync(h));
        var message = h.Fake.MessagesIn(h.Fake.DefaultChannelId).Single(m => m.CustomIds().Contains(CustomIds.CalibrationVote(post, 1)));
        return (gold, post, message);
    }

    /// <summary>Every table but the answers, as text.</summary>
    private async Task<string> EverythingButAnswersAsync()
    {
        var snapshot = await h.Db.SnapshotAsync();
        int start = snapshot.IndexOf("calibration_answers:\n", StringComparison.Ordinal);
        int end = snapshot.IndexOf("calibration_posts:\n", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the snapshot lists calibration_answers then calibration_posts");
        return snapshot[..start] + snapshot[end..];
    }

    [Fact]
    public async Task A_vote_on_a_calibration_post_is_stored_as_an_answer_confirmed_like_a_vote_and_touches_nothing_else()
    {
        var (gold, post, message) = await PostedAsync();
        var before = await EverythingButAnswersAsync();
        var votesBefore = await h.VotesAsync(gold.Step);

        var click = await h.Fake.ClickButtonAsync(h.Fake.DefaultChannelId, message.Id, CustomIds.CalibrationVote(post, 1), FakeUser.Alice, BotHarness.Contractor);
        var response = await h.Fake.WaitForResponseAsync(click);

        // Answered as a live vote is: one private confirmation, then the message shows the tally.
        Assert.Equal(4, response["type"]!.GetValue<int>());
        Assert.Equal(64, response["data"]!["flags"]!.GetValue<int>() & 64);
        Assert.Equal("Vote recorded: #1 on step 1.", response["data"]!["content"]!.GetValue<string>());
        await h.Fake.WaitForAsync(() => (h.Fake.Message(message.Id)!.Json["embeds"]?[0]?["description"]?.GetValue<string>() ?? "")
            .Contains("1 vote of quorum 2", StringComparison.Ordinal), what: "the calibration post to show the answer as a vote");
        var answers = (await h.Get<ICalibration>().GetPostAsync(post)).Value.Answers;
        Assert.Equal([(ActorId.Discord(FakeUser.Alice.Id), 1)], answers.Select(a => (a.Voter, a.CandidateNumber)));
        // The original run: the same votes, decision, status, events and work items (nothing executed or queued).
        Assert.Equal(votesBefore, await h.VotesAsync(gold.Step));
        Assert.Equal(before, await EverythingButAnswersAsync());
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_changed_answer_replaces_the_first_and_is_confirmed_as_a_changed_vote()
    {
        var (_, post, message) = await PostedAsync();
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(h.Fake.DefaultChannelId, message.Id, CustomIds.CalibrationVote(post, 1), FakeUser.Bob, BotHarness.Contractor));

        var second = await h.Fake.ClickButtonAsync(h.Fake.DefaultChannelId, message.Id, CustomIds.CalibrationVote(post, 3), FakeUser.Bob, BotHarness.Contractor);
        var response = await h.Fake.WaitForResponseAsync(second);

        Assert.Equal("Vote changed from #1 to #3 on step 1.", response["data"]!["content"]!.GetValue<string>());
        var answers = (await h.Get<ICalibration>().GetPostAsync(post)).Value.Answers;
        Assert.Equal([(ActorId.Discord(FakeUser.Bob.Id), 3)], answers.Select(a => (a.Voter, a.CandidateNumber)));
    }

    [Fact]
    public async Task The_other_buttons_of_a_calibration_post_take_nothing()
    {
        var (_, post, message) = await PostedAsync();
        var before = await h.Db.SnapshotAsync();

        var click = await h.Fake.ClickButtonAsync(h.Fake.DefaultChannelId, message.Id, CustomIds.CalibrationOther(post, 0), FakeUser.Alice, BotHarness.Contractor);

        Assert.Equal(global::Bot.Discord.Bot.Interactions.CalibrationHandler.VotesOnly, Text(await h.Fake.WaitForResponseAsync(click)));
        Assert.Equal(before, await h.Db.SnapshotAsync());
    }

    [Fact]
    public async Task Stats_me_shows_the_askers_own_accuracy_on_calibration_steps()
    {
        var dana = new FakeUser(720_000_000_000_000_009, "dana");
        var (_, post, message) = await PostedAsync();
        // The gold answer is #3 (GoldRunAsync), although #2 was decided.
        var click = await h.Fake.ClickButtonAsync(h.Fake.DefaultChannelId, message.Id, CustomIds.CalibrationVote(post, 3), dana, BotHarness.Contractor);
        await h.Fake.WaitForResponseAsync(click);

        var mine = Text(await h.Fake.WaitForResponseAsync(await h.Fake.SlashCommandAsync(h.Fake.DefaultChannelId, "stats",
            [FakeDiscordServer.SubCommand("me")], dana, BotHarness.Contractor)));

        // 1 of 1 right: Wilson 95% from 20.65% to 100%.
        Assert.Contains("Calibration steps (gold) answered correctly: 1/1 100% [21%, 100%]", mine, StringComparison.Ordinal);
        Assert.Contains("Steps you acted on: 0 · voted on: 0", mine, StringComparison.Ordinal);
        h.Fake.AssertNoViolations();
    }
}
