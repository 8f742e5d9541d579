using Bot.Core.Ports;
using Bot.Data.Agent;
using System.Collections.Concurrent;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Results;
using Bot.Data.Json;
using Bot.Data.Work;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bot.Data.Tests;

public sealed class WorkQueueTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly TestRuns _runs = new(db);

    private WorkQueue Queue(WorkQueueOptions? options = null) =>
        new(db.Database, _runs.Time, Options.Create(options ?? new WorkQueueOptions()));

    private async Task<RunId> RunAsync() =>
        (await _runs.Processor.StartRunAsync(new("t", "x", "m", TestRuns.Settings(), TestRuns.Researcher))).Value.State.RunId;

    [Fact]
    public async Task Two_workers_claiming_concurrently_never_take_the_same_item()
    {
        var run = await RunAsync();
        var queue = Queue();
        for (var i = 0; i < 200; i++)
            await queue.EnqueueAsync(new RenderStepWork(run, 1, 1000 + i));

        var taken = new ConcurrentBag<(string Worker, long Id)>();
        async Task Worker(string name)
        {
            while (true)
            {
                var batch = await queue.ClaimAsync(name, 7);
                if (batch.Count == 0) return;
                foreach (var item in batch)
                {
                    taken.Add((name, item.Id));
                    Assert.True(await queue.CompleteAsync(item.Id, name));
                }
            }
        }
        await Task.WhenAll(Task.Run(() => Worker("a")), Task.Run(() => Worker("b")), Task.Run(() => Worker("c")));

        var ids = taken.Select(t => t.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var mine = (await queue.ListAsync(runId: run.Value)).Where(r => r.Kind == "RenderStep").ToList();
        Assert.Equal(200, mine.Count);
        Assert.All(mine, r => Assert.Equal("done", r.Status));
        Assert.All(mine, r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task A_completion_recorded_without_waiting_for_the_disk_is_refused_to_another_worker_and_counted_once()
    {
        var run = await RunAsync();
        var queue = Queue();
        await queue.EnqueueAsync(new RenderStepWork(run, 1, 77));
        var claimed = (await queue.ClaimAsync("a", 100)).Single(c => c.Item is RenderStepWork { Revision: 77 });
        Assert.True(WorkKinds.IsRedoable(WorkKinds.Of(claimed.Item.GetType())));

        Assert.False(await queue.CompleteAsync(claimed.Id, "b", lazily: true));
        Assert.Equal("running", (await queue.ListAsync(runId: run.Value)).Single(r => r.Id == claimed.Id).Status);
        Assert.True(await queue.CompleteAsync(claimed.Id, "a", lazily: true));
        Assert.Equal("done", (await queue.ListAsync(runId: run.Value)).Single(r => r.Id == claimed.Id).Status);
        Assert.False(await queue.CompleteAsync(claimed.Id, "a", lazily: true));
    }

    [Fact]
    public void Only_renders_are_redoable_an_execution_must_never_be_done_twice()
    {
        Assert.True(WorkKinds.IsRedoable(WorkKinds.Of(typeof(RenderStepWork))));
        Assert.False(WorkKinds.IsRedoable(WorkKinds.ExecuteAction));
        Assert.False(WorkKinds.IsRedoable(WorkKinds.Of(typeof(FinishRunWork))));
    }

    [Fact]
    public async Task Failing_item_is_retried_with_growing_backoff_and_ends_dead()
    {
        var run = await RunAsync();
        var options = new WorkQueueOptions { MaxAttempts = 4, BaseRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromMinutes(10) };
        var queue = Queue(options);
        await queue.EnqueueAsync(new FinishRunWork(run, 1, RunStatus.Failed));
        var key = $"finish:{run}";

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var claimed = (await queue.ClaimAsync("w", 100)).Single(c => c.IdempotencyKey == key);
            Assert.Equal(attempt, claimed.Attempt);
            var status = await queue.FailAsync(claimed.Id, "w", "boom", transient: true);
            var row = (await queue.ListAsync(runId: run.Value)).Single(r => r.IdempotencyKey == key);
            if (attempt < options.MaxAttempts)
            {
                Assert.Equal("pending", status);
                var delay = row.NextAttemptAt - _runs.Time.GetUtcNow();
                delays.Add(delay);
                // Not due yet: nobody can claim it before the backoff passes.
                Assert.DoesNotContain(await queue.ClaimAsync("w", 100), c => c.IdempotencyKey == key);
                _runs.Time.Advance(delay + TimeSpan.FromMilliseconds(1));
            }
            else
            {
                Assert.Equal("dead", status);
                Assert.Equal("dead", row.Status);
                Assert.Contains("boom", row.LastError);
            }
        }
        // Exponential with jitter in [0.5, 1]: 10s * 2^(n-1) * jitter.
        for (var i = 0; i < delays.Count; i++)
        {
            var nominal = TimeSpan.FromSeconds(10 * Math.Pow(2, i));
            Assert.InRange(delays[i], nominal * 0.5 - TimeSpan.FromMilliseconds(5), nominal + TimeSpan.FromMilliseconds(5));
        }
        Assert.Contains(await queue.ListDeadAsync(), r => r.IdempotencyKey == key);
    }

    [Fact]
    public async Task A_render_item_keeps_retrying_past_its_attempts_while_the_error_is_transient_but_a_permanent_one_ends_it()
    {
        var run = await RunAsync();
        var queue = Queue(new WorkQueueOptions { MaxAttempts = 2, BaseRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(4) });
        var render = new RenderStepWork(run, 1, 777);
        await queue.EnqueueAsync(render);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var claimed = (await queue.ClaimAsync("w", 100)).Single(c => c.IdempotencyKey == render.IdempotencyKey);
            Assert.Equal(attempt, claimed.Attempt);
            Assert.Equal("pending", await queue.FailAsync(claimed.Id, "w", "discord_transient: 503", transient: true));
            _runs.Time.Advance(TimeSpan.FromSeconds(5));
        }
        var last = (await queue.ClaimAsync("w", 100)).Single(c => c.IdempotencyKey == render.IdempotencyKey);
        Assert.Equal("dead", await queue.FailAsync(last.Id, "w", "discord_missing_access", transient: false));
    }

    [Fact]
    public async Task Requeue_gives_a_dead_item_fresh_attempts_and_refuses_unknown_or_live_items()
    {
        var run = await RunAsync();
        var queue = Queue();
        await queue.EnqueueAsync(new NotifyParentWork(run, 1, new RunId(1)));
        var claimed = (await queue.ClaimAsync("w", 100)).Single(c => c.Item is NotifyParentWork n && n.RunId == run);
        await queue.FailAsync(claimed.Id, "w", "no such parent", transient: false);

        Assert.Equal(RequeueOutcome.Requeued, (await queue.RequeueAsync(claimed.Id)).Outcome);
        var row = (await queue.ListAsync(runId: run.Value)).Single(r => r.Id == claimed.Id);
        Assert.Equal(("pending", 0), (row.Status, row.Attempts));
        Assert.Contains(await queue.ListUnfinishedAsync(), r => r.Id == claimed.Id);
        Assert.Equal(new RequeueResult(RequeueOutcome.NotDead, "pending"), await queue.RequeueAsync(claimed.Id));
        Assert.Equal(new RequeueResult(RequeueOutcome.Unknown, null), await queue.RequeueAsync(long.MaxValue));
        Assert.Equal(1, (await queue.ClaimAsync("w", 100)).Single(c => c.Id == claimed.Id).Attempt);
    }

    [Fact]
    public async Task Permanent_error_marks_item_dead_at_once()
    {
        var run = await RunAsync();
        var queue = Queue();
        await queue.EnqueueAsync(new NotifyParentWork(run, 1, new RunId(1)));
        var claimed = (await queue.ClaimAsync("w", 100)).Single(c => c.Item is NotifyParentWork n && n.RunId == run);
        Assert.Equal("dead", await queue.FailAsync(claimed.Id, "w", "no such parent", transient: false));
    }

    [Fact]
    public async Task Recovery_requeues_expired_leases_but_interrupts_executions_through_the_engine()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 1));
        Assert.Equal(RunStatus.Executing, (await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:5"), 1, 1))).Value.State.Status);
        var queue = Queue(new WorkQueueOptions { LeaseDuration = TimeSpan.FromMinutes(1) });

        // A worker that then "dies": claims everything for this run and never reports back.
        var claimed = new List<ClaimedWork>();
        for (var batch = await queue.ClaimAsync("dead-worker", 100); batch.Count > 0; batch = await queue.ClaimAsync("dead-worker", 100))
            claimed.AddRange(batch);
        Assert.Contains(claimed, c => c.Item is ExecuteActionWork e && e.RunId == run);

        var recovery = new WorkRecovery(db.Database, _runs.Commands, _runs.Time);
        var early = await recovery.RecoverAsync();
        Assert.Equal(0, early.Requeued + early.Interrupted); // leases still valid

        _runs.Time.Advance(TimeSpan.FromMinutes(2));
        var report = await recovery.RecoverAsync();

        Assert.True(report.Interrupted >= 1);
        var rows = await queue.ListAsync(runId: run.Value);
        Assert.Equal("interrupted", rows.Single(r => r.Kind == "ExecuteAction").Status);
        // Everything else the dead worker held is back in the queue.
        var heldIds = claimed.Select(c => c.Id).ToHashSet();
        Assert.All(rows.Where(r => r.Kind != "ExecuteAction" && heldIds.Contains(r.Id)), r => Assert.Equal("pending", r.Status));
        Assert.Contains(rows, r => r.Kind == "RenderStep" && r.Status == "pending");
        var state = (await _runs.Processor.LoadStateAsync(run)).Value;
        Assert.Equal(RunStatus.ExecutionInterrupted, state.Status);

        // A researcher re-runs: a new attempt with its own key, while the interrupted one stays as it was.
        var rerun = await _runs.Processor.HandleAsync(run, new RerunInterrupted(TestRuns.Researcher, 1));
        Assert.True(rerun.IsSuccess, rerun.Error?.ToString());
        var executes = (await queue.ListAsync(runId: run.Value)).Where(r => r.Kind == "ExecuteAction").ToList();
        Assert.Equal(2, executes.Count);
        Assert.Equal(["interrupted", "pending"], executes.Select(e => e.Status));
    }

    [Fact]
    public async Task Recovery_requeues_an_execution_whose_result_was_stored_before_the_process_died()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 1));
        Assert.Equal(RunStatus.Executing, (await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:5"), 1, 1))).Value.State.Status);
        var queue = Queue(new WorkQueueOptions { LeaseDuration = TimeSpan.FromMinutes(1) });
        var claimed = new List<ClaimedWork>();
        for (var batch = await queue.ClaimAsync("dead-worker", 100); batch.Count > 0; batch = await queue.ClaimAsync("dead-worker", 100))
            claimed.AddRange(batch);
        var execute = claimed.Select(c => c.Item).OfType<ExecuteActionWork>().Single(e => e.RunId == run);

        // The command ran and its output was stored; the process died before telling the engine.
        await new AgentStore(db.Database, _runs.Time).SaveExecutionAsync(run, execute.StepNumber, execute.IdempotencyKey, execute.Command,
            new ExecutionResult("done", "", 0, TimeSpan.FromSeconds(1), TimedOut: false, OutputTruncated: false));
        _runs.Time.Advance(TimeSpan.FromMinutes(2));
        var report = await new WorkRecovery(db.Database, _runs.Commands, _runs.Time).RecoverAsync();

        Assert.Equal(0, report.Interrupted);
        Assert.Equal("pending", (await queue.ListAsync(runId: run.Value)).Single(r => r.Kind == "ExecuteAction").Status);
        Assert.Equal(RunStatus.Executing, (await _runs.Processor.LoadStateAsync(run)).Value.Status);
    }

    [Fact]
    public async Task Worker_service_performs_enqueued_work_through_registered_handlers()
    {
        var run = await RunAsync();
        var seen = new ConcurrentQueue<string>();
        var handler = new RecordingHandler(seen);
        var options = Options.Create(new WorkQueueOptions { PollInterval = TimeSpan.FromMilliseconds(200) });
        var signal = new WorkSignal();
        var queue = new WorkQueue(db.Database, TimeProvider.System, options, signal);
        var processor = new Stores.RunCommandProcessor(db.Database, TimeProvider.System, signal);
        var worker = new WorkerService(db.Database, queue, new WorkRecovery(db.Database, new Ports.RunCommandsPort(processor, new AgentStore(db.Database, TimeProvider.System)), TimeProvider.System), [handler], signal,
            TimeProvider.System, options, NullLogger<WorkerService>.Instance);

        await worker.StartAsync(CancellationToken.None);
        try
        {
            await queue.EnqueueAsync(new RenderStepWork(run, 1, 4242));
            // Generous timeout only to avoid a hang; the assertion is on the outcome.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var c = await db.DataSource.OpenConnectionAsync();
            while (await c.ExecuteScalarAsync<string>("SELECT status FROM work_items WHERE idempotency_key = @k", new { k = $"render:{run}:1:4242" }) != "done")
                await Task.Delay(20, timeout.Token);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
        Assert.Equal(1, seen.Count(k => k == $"render:{run}:1:4242"));
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> seen) : WorkHandler<RenderStepWork>
    {
        protected override Task<Result> HandleAsync(RenderStepWork item, WorkContext context, CancellationToken cancellationToken)
        {
            seen.Enqueue(context.IdempotencyKey);
            return Task.FromResult(Result.Ok());
        }
    }
}
