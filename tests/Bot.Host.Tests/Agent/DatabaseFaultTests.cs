using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Text;
using Bot.Data;
using Bot.Data.Stores;
using Bot.Data.Work;
using Bot.Scaffold.Tasks;
using Bot.Testing.FakeLlm;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Host.Tests.Agent;

/// <summary>
/// The agent loop against a PostgreSQL server of the test's own that is restarted under it, and
/// against output that PostgreSQL cannot store as it is. Waits are for positive outcomes, bounded.
/// </summary>
public sealed class DatabaseFaultTests
{
    private const string Judge = """{"scores": [{"candidate": 1, "score": 9, "reason": "fine"}]}""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // This harness has no Discord, so nothing performs RenderStep items: they die of "no handler", not of a fault.
    private const string DeadOrInterrupted =
        "SELECT kind || ' ' || status || ': ' || coalesce(last_error, '') FROM work_items WHERE status IN ('dead', 'interrupted') AND kind <> 'RenderStep'";

    [Fact]
    public async Task Output_of_3000_emoji_and_a_nul_is_stored_cleanly_and_the_run_goes_on_to_step_2()
    {
        await using var harness = await AgentLoopHarness.StartAsync();
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        // The marker is quoted apart in the command, so only the command's output contains it whole.
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("DONE-7Q"), FakeLlmResponse.Tool(FakeToolCall.Submit("seen")));
        harness.Llm.When(r => r.ToolNames.Count > 0,
            FakeLlmResponse.Tool(FakeToolCall.Bash("printf 'x\\0y'; for i in $(seq 3000); do printf '😀'; done; printf ' DO''NE-7Q'")));

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto, candidates: 1);
        Assert.Equal("completed", await harness.WaitForEndAsync(runId, Patience));

        await using var db = await harness.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM steps WHERE run_id = @id", new { id = runId.Value }));
        var stdout = await db.ExecuteScalarAsync<string>("SELECT stdout FROM executions WHERE run_id = @id", new { id = runId.Value });
        Assert.NotNull(stdout);
        Assert.DoesNotContain('\0', stdout);
        Assert.StartsWith("x\uFFFDy", stdout, StringComparison.Ordinal);
        Assert.Equal(3000, System.Text.RegularExpressions.Regex.Count(stdout, "😀"));

        var observation = await db.ExecuteScalarAsync<string>(
            "SELECT o.text FROM observations o JOIN steps s ON s.id = o.step_id WHERE s.run_id = @id AND s.number = 1", new { id = runId.Value });
        Assert.NotNull(observation);
        Assert.True(SafeText.IsStorable(observation));
        Assert.Contains("characters omitted", observation, StringComparison.Ordinal);
        Assert.Contains("x\uFFFDy", observation, StringComparison.Ordinal);
        Assert.EndsWith("DONE-7Q", observation, StringComparison.Ordinal);
        // The only replacement character is the NUL's: the cuts between head and tail split no emoji.
        Assert.Equal(1, observation.Count(c => c == '\uFFFD'));
    }

    [Fact]
    public async Task A_run_survives_a_restart_of_the_database_in_the_middle_and_finishes_with_every_step()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        await using var harness = await AgentLoopHarness.StartAsync(new() { ["ConnectionStrings:Postgres"] = cluster.ConnectionString });
        ScriptTicks(harness.Llm, ticks: 4, command: tick => $"sleep 0.3; echo tick-{tick}-''done");

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto, candidates: 1);
        await WaitUntilAsync(harness.DataSource, "SELECT count(*) >= 2 FROM steps WHERE run_id = @id", new { id = runId.Value });
        await cluster.RestartAsync(TimeSpan.FromSeconds(3));

        Assert.Equal("completed", await harness.WaitForEndAsync(runId, Patience));
        await using var db = await harness.DataSource.OpenConnectionAsync();
        var steps = (await db.QueryAsync<(int Number, bool Decided, bool Observed)>("""
            SELECT s.number, EXISTS (SELECT 1 FROM decisions d WHERE d.step_id = s.id), EXISTS (SELECT 1 FROM observations o WHERE o.step_id = s.id)
            FROM steps s WHERE s.run_id = @id ORDER BY s.number
            """, new { id = runId.Value })).ToList();
        Assert.Equal([1, 2, 3, 4, 5], steps.Select(s => s.Number));
        Assert.All(steps, s => Assert.True(s.Decided, $"step {s.Number} has no decision"));
        Assert.All(steps.Take(4), s => Assert.True(s.Observed, $"step {s.Number} has no observation"));
        Assert.Empty(await db.QueryAsync<string>(DeadOrInterrupted));
    }

    [Fact]
    public async Task After_a_restart_while_idle_the_worker_still_performs_new_work()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        await using var harness = await AgentLoopHarness.StartAsync(new() { ["ConnectionStrings:Postgres"] = cluster.ConnectionString });
        var worker = harness.Host.Services.GetRequiredService<WorkerService>();
        await WaitForAsync(() => worker.LastRecovery is not null, "the worker to start");
        ScriptTicks(harness.Llm, ticks: 1, command: tick => $"echo tick-{tick}-''done");

        await cluster.RestartAsync(TimeSpan.FromSeconds(1));

        // The test is a client too: its first call may meet a connection the restart broke.
        RunId runId = default;
        await WaitForAsync(async () =>
        {
            var definition = await harness.Host.Services.GetRequiredService<TaskCatalog>().GetAsync("find-password");
            var started = await harness.Processor.StartRunAsync(new StartRunRequest("find-password", definition.Value.Instructions, AgentLoopHarness.Profile,
                new RunSettings(RunMode.Auto, ConsensusPolicy.Default, 1, MaxSteps: 10), ActorId.Discord(42)));
            if (started.IsSuccess) runId = started.Value.State.RunId;
            return started.IsSuccess;
        }, "a run to start after the restart");

        Assert.Equal("completed", await harness.WaitForEndAsync(runId, Patience));
        Assert.False(worker.ExecuteTask?.IsCompleted ?? true, "the worker loop ended");
    }

    [Fact]
    public async Task Lease_renewal_keeps_trying_after_a_failure_and_renews_once_the_database_is_back()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        await using var harness = await AgentLoopHarness.StartAsync(new()
        {
            ["ConnectionStrings:Postgres"] = cluster.ConnectionString,
            // Renewed every 4 s: a 5 s outage always spans a renewal, and the lease outlives the outage.
            ["WorkQueue:LeaseDuration"] = "00:00:12",
            // Retries at most a second apart once the database is back, and a command long enough
            // (40 s of a 90 s limit) that a slow restart on a loaded machine still ends well before it.
            ["WorkQueue:OutageMaxDelay"] = "00:00:01",
            ["Scaffold:Sandbox:TimeLimitSeconds"] = "90",
        });
        harness.Llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        harness.Llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains("slept-done"), FakeLlmResponse.Tool(FakeToolCall.Submit("done")));
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("sleep 40; echo slept-''done")));

        var runId = await harness.StartRunAsync("find-password", RunMode.Auto, candidates: 1);
        const string lease = "SELECT locked_until FROM work_items WHERE run_id = @id AND kind = 'ExecuteAction' AND status = 'running'";
        await WaitUntilAsync(harness.DataSource, $"SELECT EXISTS ({lease})", new { id = runId.Value });

        await cluster.RestartAsync(TimeSpan.FromSeconds(5));
        DateTime? afterRestart = null;
        await WaitForAsync(async () =>
        {
            await using var db = await harness.DataSource.OpenConnectionAsync();
            var until = await db.ExecuteScalarAsync<DateTime?>(lease, new { id = runId.Value });
            Assert.NotNull(until); // still running under its first worker: the lease was not lost
            afterRestart ??= until;
            return until > afterRestart;
        }, "the lease to be renewed after the restart");

        Assert.Equal("completed", await harness.WaitForEndAsync(runId, Patience));
        await using var check = await harness.DataSource.OpenConnectionAsync();
        Assert.Empty(await check.QueryAsync<string>(DeadOrInterrupted));
    }

    [Fact]
    public async Task A_worker_whose_lease_expired_does_not_apply_its_result_a_second_time()
    {
        await using var harness = await AgentLoopHarness.StartAsync(new()
        {
            ["WorkQueue:Enabled"] = "false",
            ["WorkQueue:LeaseDuration"] = "00:00:01",
        });
        harness.Llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash("ls", "look around")));
        var services = harness.Host.Services;
        WorkerService NewWorker() => new(services.GetRequiredService<BotDatabase>(), services.GetRequiredService<WorkQueue>(),
            services.GetRequiredService<WorkRecovery>(), services.GetServices<IWorkHandler>(), services.GetRequiredService<WorkSignal>(),
            TimeProvider.System, services.GetRequiredService<IOptions<WorkQueueOptions>>(), services.GetRequiredService<ILogger<WorkerService>>());
        var (a, b) = (NewWorker(), NewWorker());
        var queue = services.GetRequiredService<WorkQueue>();
        var recovery = services.GetRequiredService<WorkRecovery>();

        var runId = await harness.StartRunAsync("find-password", RunMode.Vote, candidates: 2);
        var claimedByA = Assert.Single(await queue.ClaimAsync(a.WorkerId, 10), w => w.Item.RunId == runId);

        // A stalls; its lease runs out and recovery gives the item to B, which performs it.
        await WaitForAsync(async () => (await recovery.RecoverAsync()).Requeued > 0, "A's lease to expire");
        var claimedByB = Assert.Single(await queue.ClaimAsync(b.WorkerId, 10), w => w.Item.RunId == runId);
        Assert.Equal(claimedByA.Id, claimedByB.Id);
        await b.PerformAsync(claimedByB);
        var done = (await queue.ListAsync(runId: runId.Value)).Single(r => r.Id == claimedByB.Id);
        Assert.Equal("done", done.Status);
        var before = await harness.Database.SnapshotAsync();
        var modelRequests = harness.Llm.Requests.Count;

        // A wakes up and finishes too: same idempotency key, so the same stored samples, which the engine refuses as settled.
        await a.PerformAsync(claimedByA);

        Assert.Equal(before, await harness.Database.SnapshotAsync());
        Assert.Equal(modelRequests, harness.Llm.Requests.Count);
        await using var db = await harness.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM run_events WHERE run_id = @id AND type = 'command:CandidatesGenerated'", new { id = runId.Value }));
    }

    /// <summary>Agent requests: tick 1..n, one bash per step, then submit; judge requests: pick #1.</summary>
    private static void ScriptTicks(FakeLlmServer llm, int ticks, Func<int, string> command)
    {
        llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains($"tick-{ticks}-done"), FakeLlmResponse.Tool(FakeToolCall.Submit("finished")));
        for (var tick = ticks; tick >= 2; tick--)
        {
            var previous = tick - 1;
            llm.When(r => r.ToolNames.Count > 0 && r.AllText.Contains($"tick-{previous}-done"), FakeLlmResponse.Tool(FakeToolCall.Bash(command(tick))));
        }
        llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash(command(1))));
    }

    private static Task WaitUntilAsync(NpgsqlDataSource source, string sql, object parameters) =>
        WaitForAsync(async () =>
        {
            await using var db = await source.OpenConnectionAsync();
            return await db.ExecuteScalarAsync<bool>(sql, parameters);
        }, sql);

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (NpgsqlException)
            {
                // The server is restarting; ask again.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Gave up waiting for {what}.");
    }
}
