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
    private readonly Dictionary<string, IWorkHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The last recovery report (start-up or periodic), for diagnostics and tests.</summary>
    public RecoveryReport? LastRecovery { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        await database.StartAsync(stoppingToken);
        LastRecovery = await recovery.RecoverAsync(stoppingToken);
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
            await queue.FailAsync(work.Id, WorkerId, $"No handler for work kind '{kind}' is registered in this process", transient: true, cancellationToken);
            return;
        }

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(work.Id, renewal.Token);
        Result result;
        try
        {
            result = await handler.HandleAsync(work.Item, new WorkContext(work.Id, work.Attempt, work.IdempotencyKey, WorkerId), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogHandlerThrew(logger, ex, work.Id, kind);
            result = Result.Fail(new Error("handler_exception", $"{ex.GetType().Name}: {ex.Message}", IsTransient: true));
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }

        if (result.Error is { } error)
            await queue.FailAsync(work.Id, WorkerId, error.ToString(), error.IsTransient, cancellationToken);
        else
            await queue.CompleteAsync(work.Id, WorkerId, cancellationToken);
    }

    private async Task RenewLeaseAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, timeProvider, cancellationToken);
                if (!await queue.RenewLeaseAsync(id, WorkerId, cancellationToken)) return;
            }
        }
        catch (OperationCanceledException) { }
        catch (NpgsqlException ex) { LogRenewFailed(logger, ex, id); }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand("LISTEN bot_work", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Work may have arrived before LISTEN took effect.
                signal.Set();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                LogListenFailed(logger, ex);
                try { await Task.Delay(_options.PollInterval, timeProvider, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started: {ActiveRuns} active runs, {PendingWork} work items pending, {Requeued} requeued, {Interrupted} executions interrupted")]
    private static partial void LogResumed(ILogger logger, string workerId, int activeRuns, int pendingWork, int requeued, int interrupted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for work item {WorkItemId} ({Kind}) threw")]
    private static partial void LogHandlerThrew(ILogger logger, Exception ex, long workItemId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of work item {WorkItemId}")]
    private static partial void LogRenewFailed(ILogger logger, Exception ex, long workItemId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN for new work failed; polling until it reconnects")]
    private static partial void LogListenFailed(ILogger logger, Exception ex);
}
