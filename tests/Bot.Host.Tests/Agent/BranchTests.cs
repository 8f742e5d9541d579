using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Testing.FakeLlm;
using Dapper;

namespace Bot.Host.Tests.Agent;

/// <summary>
/// Forks are branches, not sub-runs: a fork of a run that waits on a real sub-run finishes, is
/// scored, and does not answer its origin; only the awaited child does.
/// </summary>
public sealed class BranchTests
{
    private static readonly ActorId Researcher = ActorId.Discord(42);
    private static readonly ActorId Contractor = ActorId.Discord(77);

    [Fact]
    public async Task A_fork_finishing_while_its_origin_waits_on_a_real_sub_run_does_not_answer_it_and_is_scored()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text("""{"scores": [{"candidate": 1, "score": 7, "reason": "fine"}]}"""));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Delegate("List the archive folder.")));

        // The origin delegates at step 1 (one contractor's vote decides: quorum 1) and waits on its sub-run.
        var origin = await harness.StartRunAsync("find-password", RunMode.Vote, candidates: 1, quorum: 1);
        await harness.WaitUntilAsync(origin, "SELECT status = 'voting' FROM runs WHERE id = @id", "step 1 open for votes");
        Assert.True((await harness.Processor.HandleAsync(origin, new CastVote(Contractor, 1, 1))).IsSuccess);
        await harness.WaitUntilAsync(origin, "SELECT EXISTS (SELECT 1 FROM runs WHERE parent_run_id = @id)", "the sub-run to start");
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var subRun = new RunId(await db.ExecuteScalarAsync<long>("SELECT id FROM runs WHERE parent_run_id = @id", new { id = origin.Value }));

        // A researcher forks the origin at step 1 and has the fork submit at once.
        var step1 = new StepId(await db.ExecuteScalarAsync<long>("SELECT id FROM steps WHERE run_id = @id AND number = 1", new { id = origin.Value }));
        var forked = await harness.Processor.StartRunAsync(new StartRunRequest("find-password", "Find the password.", AgentLoopHarness.Profile,
            new RunSettings(RunMode.Vote, ConsensusPolicy.DefaultFor(RunMode.Vote) with { Quorum = 1 }, 1), Researcher, Branch: new BranchOf(step1, BranchKind.Fork)));
        var fork = forked.Value.State.RunId;
        await SubmitAsync(harness, fork, "FORK-ANSWER");
        Assert.Equal("completed", await harness.WaitForEndAsync(fork));

        // The fork is scored like any top-level run (the wrong answer fails the task's exact match).
        Assert.False(await harness.WaitForScoreAsync(fork));
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM work_items WHERE run_id = @id AND kind = 'NotifyParent'", new { id = fork.Value }));
        Assert.Equal("waiting_on_sub_run", await db.ExecuteScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = origin.Value }));
        // It does not count against the origin's delegation limits either: one child.
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM runs WHERE parent_run_id = @id", new { id = origin.Value }));

        // The real sub-run answers, and that answer is the origin's next observation.
        await SubmitAsync(harness, subRun, "SUB-ANSWER");
        await harness.WaitUntilAsync(origin, "SELECT current_step = 2 FROM runs WHERE id = @id", "the origin to move on to step 2");
        var observation = await db.ExecuteScalarAsync<string>(
            "SELECT o.text FROM observations o JOIN steps s ON s.id = o.step_id WHERE s.run_id = @id AND s.number = 1", new { id = origin.Value });
        Assert.Contains("SUB-ANSWER", observation);
        Assert.DoesNotContain("FORK-ANSWER", observation);
    }

    [Fact]
    public async Task The_step_limit_ends_a_run_as_failed_with_the_reason()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text("""{"scores": [{"candidate": 1, "score": 7, "reason": "fine"}]}"""));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("ls")));

        var run = await harness.StartRunAsync("find-password", RunMode.Auto, candidates: 1, maxSteps: 2);

        Assert.Equal("failed", await harness.WaitForEndAsync(run));
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT max(number) FROM steps WHERE run_id = @id", new { id = run.Value }));
        var reason = await db.ExecuteScalarAsync<string>(
            "SELECT payload ->> 'reason' FROM run_events WHERE run_id = @id AND type = 'RunFinished'", new { id = run.Value });
        Assert.Contains("step limit (2 steps)", reason);
    }

    /// <summary>Waits for the run's step to open, then a researcher proposes a submission and decides it.</summary>
    private static async Task SubmitAsync(AgentLoopHarness harness, RunId run, string answer)
    {
        await harness.WaitUntilAsync(run, "SELECT status = 'voting' FROM runs WHERE id = @id", "a step open for votes");
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var step = await db.ExecuteScalarAsync<int>("SELECT current_step FROM runs WHERE id = @id", new { id = run.Value });
        var proposed = await harness.Processor.HandleAsync(run,
            new ProposeCandidate(Researcher, step, new NewCandidate(CandidateKind.Submit, answer, null, CandidateSource.Researcher, Researcher), MoveVote: false));
        Assert.True(proposed.IsSuccess, proposed.Error?.ToString());
        var number = proposed.Value.State.Step!.Candidates.Single(c => c.Text == answer).Number;
        var decided = await harness.Processor.HandleAsync(run, new OverrideDecision(Researcher, step, number));
        Assert.True(decided.IsSuccess, decided.Error?.ToString());
    }
}
