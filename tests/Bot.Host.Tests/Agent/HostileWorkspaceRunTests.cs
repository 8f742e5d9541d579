using Bot.Core.Domain;
using Bot.Testing.FakeLlm;
using Dapper;

namespace Bot.Host.Tests.Agent;

/// <summary>
/// The agent loop (real handlers, real bubblewrap, real PostgreSQL, fake model) against a model that
/// attacks through its workspace: a planted link carried into a sub-run, and a workspace over its quota.
/// </summary>
public sealed class HostileWorkspaceRunTests
{
    private const string Judge = """{"scores": [{"candidate": 1, "score": 9, "reason": "fine"}]}""";

    [Fact]
    public async Task A_link_to_proc_self_environ_carried_into_a_sub_run_shows_it_no_bot_secret()
    {
        var secret = $"SECRET-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable("Discord__Token", secret);
        await using var harness = await AgentLoopHarness.StartAsync();
        static bool SubRun(FakeLlmRequest r) => r.ToolNames.Count > 0 && r.AllText.Contains("delegated this sub-task", StringComparison.Ordinal);
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        harness.Llm.When(r => SubRun(r) && r.AllText.Contains("HOME=/workspace", StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Submit("SUBRUN-READ-IT", "read the link")));
        harness.Llm.When(SubRun, FakeLlmResponse.Tool(FakeToolCall.Bash("cat env.txt | tr '\\0' '\\n'", "read what the parent left")));
        harness.Llm.When(r => r.AllText.Contains("SUBRUN-READ-IT", StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Submit("done", "the sub-run answered")));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("LINKED", StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Delegate("Read env.txt and report it", "let a helper look")));
        harness.Llm.When(r => r.ToolNames.Count > 0,
            FakeLlmResponse.Tool(FakeToolCall.Bash("ln -s /proc/self/environ env.txt && echo LINKED", "plant a link")));

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto);
        var status = await harness.WaitForEndAsync(runId);

        Assert.Equal("completed", status);
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var outputs = (await db.QueryAsync<string>("SELECT stdout || stderr FROM executions")).ToList();
        // The child really read the link, in its sandbox: the sandbox's own environment.
        Assert.Contains(outputs, o => o.Contains("HOME=/workspace", StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain(secret, o));
        Assert.All(harness.Llm.Requests, r => Assert.DoesNotContain(secret, r.AllText));
        var events = await db.QueryAsync<string>("SELECT payload::text FROM run_events");
        Assert.All(events, e => Assert.DoesNotContain(secret, e));
    }

    [Fact]
    public async Task A_workspace_over_its_quota_after_a_command_stops_the_run_with_the_reason()
    {
        await using var harness = await AgentLoopHarness.StartAsync(new() { ["Scaffold:Sandbox:WorkspaceQuotaMegabytes"] = "1" });
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("head -c 3000000 /dev/zero > big", "fill the disk")));

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto);
        var status = await harness.WaitForEndAsync(runId);

        Assert.Equal("aborted", status);
        await using var db = await harness.Database.DataSource.OpenConnectionAsync();
        var events = await db.QueryAsync<string>("SELECT type || ' ' || payload::text FROM run_events WHERE run_id = @id", new { id = runId.Value });
        Assert.Contains(events, e => e.Contains("abort", StringComparison.OrdinalIgnoreCase)
            && e.Contains("over its quota of 1 MB (Scaffold:Sandbox:WorkspaceQuotaMegabytes)", StringComparison.Ordinal));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM executions WHERE run_id = @id", new { id = runId.Value }));
    }
}
