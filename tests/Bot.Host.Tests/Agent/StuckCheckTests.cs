using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Agent;
using Bot.Data.Work;
using Bot.Testing.FakeLlm;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Host.Tests.Agent;

/// <summary>The Stuck? button's work: the model's reflection is stored once and enters the agent's context.</summary>
public sealed class StuckCheckTests
{
    private const string Reflection = "I keep searching the wrong folder; the hidden one is what matters.";

    [Fact]
    public async Task A_requested_stuck_check_stores_the_reflection_once_and_later_prompts_include_it()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        harness.Llm.When(r => r.AllText.Contains("Am I confused?"),
            FakeLlmResponse.Text($$"""{"stuck": true, "reflection": "{{Reflection}}"}"""));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("ls archive")));
        harness.Llm.When(r => r.ToolNames.Count == 0,
            FakeLlmResponse.Text("""{"scores": [{"candidate": 1, "score": 5, "reason": "fine"}]}"""));
        var runId = await harness.StartRunAsync("find-password", RunMode.Vote);

        var queue = harness.Host.Services.GetRequiredService<WorkQueue>();
        await queue.EnqueueAsync(new StuckCheckWork(runId, 1));
        // The same request again (a second click) is the same work item: one model call.
        await queue.EnqueueAsync(new StuckCheckWork(runId, 1));

        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long reflections = 0;
        while (DateTime.UtcNow < deadline && reflections == 0)
        {
            await Task.Delay(100);
            reflections = await db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM interventions WHERE run_id = @id AND kind = 'reflection'", new { id = runId.Value });
        }

        Assert.Equal(1, reflections);
        Assert.Equal(1, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM model_calls WHERE run_id = @id AND purpose = 'stuck_check'", new { id = runId.Value }));
        var context = await harness.Host.Services.GetRequiredService<AgentStore>().LoadAsync(runId, 2);
        Assert.Equal([Reflection], context.Value.Reflections);
    }
}
