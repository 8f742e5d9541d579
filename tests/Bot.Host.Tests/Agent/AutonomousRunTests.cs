using Bot.Core.Domain;
using Bot.Testing.FakeLlm;
using Dapper;

namespace Bot.Host.Tests.Agent;

/// <summary>
/// A whole run of an example task in autonomous mode: the model proposes, the judge picks, the
/// sandbox executes, the answer is submitted and scored; every part is stored in PostgreSQL.
/// </summary>
public sealed class AutonomousRunTests
{
    private const string Judge = """{"scores": [{"candidate": 1, "score": 9, "reason": "direct and safe"}]}""";

    [Fact]
    public async Task Find_password_run_completes_with_judge_picks_and_a_passing_score()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        // Judge requests offer no tools; agent requests do. After the grep, the history holds the password.
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("PASSWORD=violet-anchor-42"),
            FakeLlmResponse.Tool(FakeToolCall.Submit("violet-anchor-42", "the only current one")));
        harness.Llm.When(r => r.ToolNames.Count > 0,
            FakeLlmResponse.Tool(FakeToolCall.Bash("grep -rn PASSWORD archive", "look for the marker")));

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto);
        var status = await harness.WaitForEndAsync(runId);

        Assert.Equal("completed", status);
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var answer = await db.ExecuteScalarAsync<string>("SELECT answer FROM runs WHERE id = @id", new { id = runId.Value });
        Assert.Equal("violet-anchor-42", answer);

        // Two steps, each decided by the model judge, each with its verdict stored.
        var steps = (await db.QueryAsync<(int Number, string Method, bool HasJudge)>(
            "SELECT s.number, d.method, s.judge IS NOT NULL FROM steps s JOIN decisions d ON d.step_id = s.id WHERE s.run_id = @id ORDER BY s.number",
            new { id = runId.Value })).ToList();
        Assert.Equal([(1, "model_judge", true), (2, "model_judge", true)], steps);

        // Three identical samples per step were merged into one candidate.
        var candidates = await db.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM candidates c JOIN steps s ON s.id = c.step_id WHERE s.run_id = @id", new { id = runId.Value });
        Assert.Equal(2, candidates);

        // The command ran once in the sandbox, its full output stored; the model saw it as the observation.
        var execution = await db.QuerySingleAsync<(string Stdout, int ExitCode)>(
            "SELECT stdout, exit_code FROM executions WHERE run_id = @id", new { id = runId.Value });
        Assert.Equal(0, execution.ExitCode);
        Assert.Contains("PASSWORD=violet-anchor-42", execution.Stdout);

        // Model calls (candidates and judge per step) are stored with their token counts.
        var calls = (await db.QueryAsync<(string Purpose, int Tokens)>(
            "SELECT purpose, prompt_tokens + completion_tokens FROM model_calls WHERE run_id = @id", new { id = runId.Value })).ToList();
        Assert.Equal(2, calls.Count(c => c.Purpose == "candidates"));
        Assert.Equal(2, calls.Count(c => c.Purpose == "judge"));
        Assert.All(calls, c => Assert.True(c.Tokens > 0, $"{c.Purpose} call stored without token counts"));

        var score = await harness.WaitForScoreAsync(runId);
        Assert.True(score);
    }
}
