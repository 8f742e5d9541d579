using Bot.Core.Domain;
using Bot.Testing.FakeLlm;
using Dapper;

namespace Bot.Host.Tests.Agent;

/// <summary>In autonomous mode a stuck trigger forks the run from before its failures, with the reflection in context.</summary>
public sealed class StuckRestartTests
{
    private const string Reflection = "The file I keep reading does not exist; search the archive instead.";

    [Fact]
    public async Task A_repeated_failing_action_makes_an_autonomous_run_restart_as_a_fork_that_sees_the_reflection()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        harness.Llm.When(r => r.AllText.Contains("Am I confused?"),
            FakeLlmResponse.Text($$"""{"stuck": true, "reflection": "{{Reflection}}"}"""));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains(Reflection),
            FakeLlmResponse.Tool(FakeToolCall.Submit("violet-anchor-42")));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("cat no-such-file")));
        harness.Llm.When(r => r.ToolNames.Count == 0,
            FakeLlmResponse.Text("""{"scores": [{"candidate": 1, "score": 6, "reason": "only option"}]}"""));

        var original = await harness.StartRunAsync("find-password", RunMode.Auto);

        Assert.Equal("aborted", await harness.WaitForEndAsync(original));
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        // The same failing action twice in a row triggers the check before step 3; nothing had succeeded,
        // so the fork branches at step 1.
        var fork = await db.QuerySingleAsync<(long Id, int ForkStep, long OriginRun)>("""
            SELECT r.id, s.number, s.run_id FROM runs r JOIN steps s ON s.id = r.forked_from_step_id
            """);
        Assert.Equal((1, original.Value), (fork.ForkStep, fork.OriginRun));
        Assert.Equal("completed", await harness.WaitForEndAsync(new RunId(fork.Id)));
        Assert.Equal("violet-anchor-42", await db.ExecuteScalarAsync<string>("SELECT answer FROM runs WHERE id = @id", new { id = fork.Id }));
        Assert.True(await harness.WaitForScoreAsync(new RunId(fork.Id)));
        Assert.Equal(1, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM interventions WHERE run_id = @id AND kind = 'reflection'", new { id = original.Value }));
    }
}
