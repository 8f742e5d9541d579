using Bot.Core.Ports;
using Bot.Core.Results;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Data.Work;

/// <summary>
/// The worker loop: recovers the work of dead processes, then claims due items in batches and
/// performs each through the <see cref="IWorkHandler"/> registered for its kind, renewing the lease
/// while it runs. Wakes on PostgreSQL NOTIFY (any process enqueued work), on a local signal, or
/// after the poll interval.
/// </summary>
public sealed partial class WorkerService(
    BotDatabase database,
    WorkQueue queue,
    WorkRecovery recovery,
    IEnumerable<IWorkHandler> handlers,
    WorkSignal signal,
    TimeProvider timeProvider,
    IOptions<WorkQueueOptions> options,
    ILogger<WorkerService> logger) : BackgroundService
{
    private readonly WorkQueueOptions _options = options.Value;
    // Keyed by the stored kind name: a handler for a work type without one throws here, at start-up.
    private readonly Dictionary<string, IWorkHandler> _handlers = handlers.ToDictionary(h => Json.WorkKinds.Of(h.WorkType), StringComparer.Ordinal);

    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The last recovery report (start-up or periodic), for diagnostics and tests.</summary>
    public RecoveryReport? LastRecovery { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        // A database that restarts or goes away must not end the process: every round trip below
        // backs off and tries again (DatabaseFaults), and the items in flight keep their results.
        var faults = new DatabaseFaults("Worker loop", logger, timeProvider, _options.OutageInitialDelay, _options.OutageMaxDelay);
        try
        {
            await faults.RetryAsync(async ct => { await database.StartAsync(ct); return true; }, stoppingToken);
            LastRecovery = await faults.RetryAsync(ct => recovery.RecoverAsync(ct), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        LogResumed(logger, WorkerId, LastRecovery.ActiveRuns, LastRecovery.PendingWork, LastRecovery.Requeued, LastRecovery.Interrupted);

        var listener = ListenAsync(stoppingToken);
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        var inFlight = new List<Task>();
        var nextRecovery = timeProvider.GetUtcNow() + _options.LeaseDuration / 2;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var claimedAny = false;
                try
                {
                    if (slots.CurrentCount > 0)
                    {
                        var claimed = await queue.ClaimAsync(WorkerId, Math.Min(slots.CurrentCount, _options.BatchSize), stoppingToken);
                        claimedAny = claimed.Count > 0;
                        foreach (var work in claimed)
                        {
                            await slots.WaitAsync(stoppingToken);
                            inFlight.Add(PerformAndReleaseAsync(work, slots, stoppingToken));
                        }
                        inFlight.RemoveAll(t => t.IsCompleted);
                    }

                    if (timeProvider.GetUtcNow() >= nextRecovery)
                    {
                        LastRecovery = await recovery.RecoverAsync(stoppingToken);
                        nextRecovery = timeProvider.GetUtcNow() + _options.LeaseDuration / 2;
                    }
                    faults.Succeeded();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Claimed items were marked running in the same statement that returned them, so a
                    // failed claim took nothing; an unexpected error (a bug) is logged and retried too.
                    if (!await faults.FailedAsync(ex, stoppingToken)) break;
                    continue;
                }

                // A full batch means more may be due: claim again at once.
                if (!claimedAny || slots.CurrentCount == 0)
                    await signal.WaitAsync(_options.PollInterval, timeProvider, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Items still running keep their lease; after it expires recovery decides their fate.
        await Task.WhenAll(inFlight.Append(listener)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PerformAndReleaseAsync(ClaimedWork work, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await PerformAsync(work, stoppingToken);
        }
        finally
        {
            slots.Release();
            signal.Set();
        }
    }

    /// <summary>Performs one claimed item and records the result. Exposed for tests and tools that drive the queue by hand.</summary>
    public async Task PerformAsync(ClaimedWork work, CancellationToken cancellationToken = default)
    {
        var kind = Json.WorkKinds.Of(work.Item.GetType());
        // A message-template scope: people read "run 12 step 3 · work item 40 (GenerateCandidates)", JSON logs get the fields.
        using var scope = logger.BeginScope("run {RunId} step {Step} · work item {WorkItemId} ({Kind})", work.Item.RunId.Value, work.Item.StepNumber, work.Id, kind);
        if (!_handlers.TryGetValue(kind, out var handler))
        {
            await queue.FailAsync(work.Id, WorkerId, $"No handler for work kind '{kind}' is registered in this process", transient: true, cancellationToken: cancellationToken);
            return;
        }

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(work.Id, renewal.Token);
        Result result;
        var outage = false;
        try
        {
            result = await handler.HandleAsync(work.Item, new WorkContext(work.Id, work.Attempt, work.IdempotencyKey, WorkerId), cancellationToken);
            outage = result.Error?.Code == Stores.DataErrors.DatabaseUnavailableCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            outage = DatabaseFaults.IsOutage(ex);
            if (!outage) LogHandlerThrew(logger, ex, work.Id, kind);
            result = Result.Fail(new Error("handler_exception", $"{ex.GetType().Name}: {ex.Message}", IsTransient: true));
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }

        // The result must reach the table even when the database is down just now: retried until it
        // does (or the process stops; then the lease expires and recovery decides).
        var faults = new DatabaseFaults($"Recording work item {work.Id}", logger, timeProvider, _options.OutageInitialDelay, _options.OutageMaxDelay);
        if (result.Error is { } error)
            await faults.RetryAsync(ct => queue.FailAsync(work.Id, WorkerId, error.ToString(), error.IsTransient || outage, countAttempt: !outage, ct), cancellationToken);
        else
            await faults.RetryAsync(ct => queue.CompleteAsync(work.Id, WorkerId, Json.WorkKinds.IsRedoable(kind), ct), cancellationToken);
    }

    /// <summary>
    /// Keeps the lease while the handler runs. A failed renewal (the database restarting) is retried
    /// with backoff until the handler ends: giving up would let the lease expire under a live handler.
    /// Stops only when the lease is gone (another worker owns the item now).
    /// </summary>
    private async Task RenewLeaseAsync(long id, CancellationToken cancellationToken)
    {
        var faults = new DatabaseFaults($"Lease renewal of work item {id}", logger, timeProvider, _options.OutageInitialDelay,
            Min(_options.OutageMaxDelay, _options.LeaseDuration / 6));
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, timeProvider, cancellationToken);
                while (true)
                {
                    try
                    {
                        if (!await queue.RenewLeaseAsync(id, WorkerId, cancellationToken))
                        {
                            LogLeaseLost(logger, id);
                            return;
                        }
                        faults.Succeeded();
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        if (!await faults.FailedAsync(ex, cancellationToken)) return;
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        // Polling still finds work while LISTEN is down; this only restores the fast wake-up.
        var faults = new DatabaseFaults("LISTEN for new work", logger, timeProvider, _options.OutageInitialDelay, _options.OutageMaxDelay);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.HeldDataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand("LISTEN bot_work", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                faults.Succeeded();
                // Work may have arrived before LISTEN took effect.
                signal.Set();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (!await faults.FailedAsync(ex, stoppingToken)) return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started: {ActiveRuns} active runs, {PendingWork} work items pending, {Requeued} requeued, {Interrupted} executions interrupted")]
    private static partial void LogResumed(ILogger logger, string workerId, int activeRuns, int pendingWork, int requeued, int interrupted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for work item {WorkItemId} ({Kind}) threw")]
    private static partial void LogHandlerThrew(ILogger logger, Exception ex, long workItemId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work item {WorkItemId} is no longer leased by this worker (its lease expired and another worker took it); its result will not be recorded")]
    private static partial void LogLeaseLost(ILogger logger, long workItemId);
}
