using System.Text.Json.Nodes;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Testing.FakeDiscord;
using Dapper;

namespace Bot.Discord.Tests.Bot;

/// <summary>
/// <c>/run gold step: option:</c> through the fake Discord: a researcher marks a decided step with
/// its correct candidate (0 unmarks); every refusal says why and stores nothing.
/// </summary>
public sealed class GoldCommandTests(BotHarness h) : IClassFixture<BotHarness>
{
    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";

    private async Task<string> GoldAsync(ulong thread, long step, long option, FakeUser? user = null, ulong[]? roles = null) =>
        Text(await h.Fake.WaitForResponseAsync(await h.Fake.SlashCommandAsync(thread, "run",
            [FakeDiscordServer.SubCommand("gold", FakeDiscordServer.Option("step", step), FakeDiscordServer.Option("option", option))],
            user ?? FakeUser.Carol, roles ?? BotHarness.Researcher)));

    /// <summary>A run whose step 1 a researcher decided for candidate 2.</summary>
    private async Task<VotingRun> DecidedRunAsync()
    {
        var run = await h.VotingRunAsync();
        var decided = await h.Get<RunCommandProcessor>().HandleAsync(run.Run, new OverrideDecision(ActorId.Discord(FakeUser.Carol.Id), 1, 2));
        Assert.True(decided.IsSuccess, decided.Error?.ToString());
        return run;
    }

    private async Task<int?> GoldAnswerAsync(StepId step)
    {
        await using var c = await h.Db.DataSource.OpenConnectionAsync();
        return await c.QuerySingleOrDefaultAsync<int?>("SELECT correct_candidate FROM gold_steps WHERE step_id = @id", new { id = step.Value });
    }

    [Fact]
    public async Task A_researcher_marks_a_decided_step_gold_with_an_answer_other_than_the_decision()
    {
        var run = await DecidedRunAsync();

        var answer = await GoldAsync(run.Thread, 1, 3);

        Assert.Contains($"Step 1 of run {run.Run} is gold: #3 is the correct answer", answer, StringComparison.Ordinal);
        Assert.Equal(3, await GoldAnswerAsync(run.Step));
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM gold_steps WHERE step_id = @id AND marked_by = @by",
            new { id = run.Step.Value, by = BotHarness.Voter(FakeUser.Carol) }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Marking_again_replaces_the_answer_and_option_zero_unmarks_the_step()
    {
        var run = await DecidedRunAsync();
        await GoldAsync(run.Thread, 1, 3);

        var changed = await GoldAsync(run.Thread, 1, 1);
        Assert.Equal(1, await GoldAnswerAsync(run.Step));
        var unmarked = await GoldAsync(run.Thread, 1, 0);

        Assert.Contains("the gold answer changed from #3 to #1", changed, StringComparison.Ordinal);
        Assert.Contains("is no longer gold (its answer was #1)", unmarked, StringComparison.Ordinal);
        Assert.Null(await GoldAnswerAsync(run.Step));
    }

    [Fact]
    public async Task A_step_still_open_for_votes_is_refused_and_nothing_is_stored()
    {
        var run = await h.VotingRunAsync();
        var before = await h.Db.SnapshotAsync();

        var answer = await GoldAsync(run.Thread, 1, 1);

        Assert.Contains($"Step 1 of run {run.Run} is not decided yet; only a decided step can be gold", answer, StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
    }

    [Fact]
    public async Task A_step_the_run_does_not_have_is_refused_and_nothing_is_stored()
    {
        var run = await DecidedRunAsync();
        var before = await h.Db.SnapshotAsync();

        var answer = await GoldAsync(run.Thread, 5, 1);

        Assert.Contains($"Run {run.Run} has no step 5; nothing was marked", answer, StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
    }

    [Fact]
    public async Task A_candidate_the_step_does_not_have_is_refused_and_nothing_is_stored()
    {
        var run = await DecidedRunAsync();
        var before = await h.Db.SnapshotAsync();

        var answer = await GoldAsync(run.Thread, 1, 9);

        Assert.Contains($"Step 1 of run {run.Run} has no candidate #9; nothing was marked", answer, StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
    }

    [Fact]
    public async Task A_contractor_cannot_mark_gold_steps_and_nothing_is_stored()
    {
        var run = await DecidedRunAsync();
        var before = await h.Db.SnapshotAsync();

        var answer = await GoldAsync(run.Thread, 1, 2, FakeUser.Alice, BotHarness.Contractor);

        Assert.Contains("Only researchers", answer, StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
    }
}
