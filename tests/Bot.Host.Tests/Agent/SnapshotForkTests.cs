using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Testing.FakeLlm;
using Dapper;

namespace Bot.Host.Tests.Agent;

/// <summary>
/// A fork from step N keeps the history of the steps before N, so its files must be those steps'
/// files too: it starts from its origin's snapshot after step N-1, not from the origin's files now.
/// Real bubblewrap executor, real PostgreSQL, fake model.
/// </summary>
public sealed class SnapshotForkTests
{
    private const string Judge = """{"scores": [{"candidate": 1, "score": 9, "reason": "fine"}]}""";
    private static readonly ActorId Researcher = ActorId.Discord(42);

    [Fact]
    public async Task A_fork_sees_the_files_as_they_were_before_its_step_and_falls_back_to_current_files_without_a_snapshot()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        // Step k's observation names the file step k made, so each request's history says which step it is.
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("MADE-C", StringComparison.Ordinal), FakeLlmResponse.Tool(FakeToolCall.Submit("done", "all three made")));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("MADE-B", StringComparison.Ordinal), FakeLlmResponse.Tool(FakeToolCall.Bash("touch c.txt && echo MADE-C", "third")));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("MADE-A", StringComparison.Ordinal), FakeLlmResponse.Tool(FakeToolCall.Bash("touch b.txt && echo MADE-B", "second")));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("touch a.txt && echo MADE-A", "first")));

        var origin = await harness.StartRunAsync("find-password", RunMode.Auto, candidates: 1);
        Assert.Equal("completed", await harness.WaitForEndAsync(origin));
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM executions WHERE run_id = @id", new { id = origin.Value }));

        Assert.Equal(["a.txt", "archive"], await ListInForkAsync(harness, origin, 2));
        Assert.Equal(["archive"], await ListInForkAsync(harness, origin, 1));

        // A run from before snapshots (here: its snapshots removed) still forks, from its current files.
        Directory.Delete(Path.Combine(harness.Root, "snapshots", "runs", origin.ToString()), recursive: true);
        Assert.Equal(["a.txt", "archive", "b.txt", "c.txt"], await ListInForkAsync(harness, origin, 2));
    }

    /// <summary>Forks <paramref name="origin"/> at <paramref name="step"/>, has a researcher run `ls` as the fork's first action, returns its lines.</summary>
    private static async Task<List<string>> ListInForkAsync(AgentLoopHarness harness, RunId origin, int step)
    {
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var stepId = new StepId(await db.ExecuteScalarAsync<long>("SELECT id FROM steps WHERE run_id = @id AND number = @step", new { id = origin.Value, step }));
        var forked = await harness.Processor.StartRunAsync(new StartRunRequest("find-password", "Find the password.", AgentLoopHarness.Profile,
            new RunSettings(RunMode.Vote, ConsensusPolicy.DefaultFor(RunMode.Vote) with { Quorum = 1 }, 1), Researcher, Branch: new BranchOf(stepId, BranchKind.Fork)));
        Assert.True(forked.IsSuccess, forked.Error?.ToString());
        var fork = forked.Value.State.RunId;

        await harness.WaitUntilAsync(fork, "SELECT status = 'voting' FROM runs WHERE id = @id", "the fork's first step open for votes");
        var proposed = await harness.Processor.HandleAsync(fork,
            new ProposeCandidate(Researcher, 1, new NewCandidate(CandidateKind.Bash, "ls", null, CandidateSource.Researcher, Researcher), MoveVote: false));
        Assert.True(proposed.IsSuccess, proposed.Error?.ToString());
        var number = proposed.Value.State.Step!.Candidates.Single(c => c.Text == "ls").Number;
        Assert.True((await harness.Processor.HandleAsync(fork, new OverrideDecision(Researcher, 1, number))).IsSuccess);

        await harness.WaitUntilAsync(fork, "SELECT EXISTS (SELECT 1 FROM executions WHERE run_id = @id)", "the fork's ls to run");
        var stdout = await db.ExecuteScalarAsync<string>("SELECT stdout FROM executions WHERE run_id = @id", new { id = fork.Value });
        return stdout!.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
