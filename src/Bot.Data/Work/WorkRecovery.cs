using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Json;
using Bot.Data.Stores;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bot.Data.Work;

/// <summary>What a recovery pass found.</summary>
public sealed record RecoveryReport(int Requeued, int Interrupted, int ActiveRuns, int PendingWork);

/// <summary>
/// Puts the work of dead processes back in order. Items whose lease expired go back to pending,
/// except shell executions: re-running a command that may have run is not safe, so its step goes
/// to ExecutionInterrupted (through the engine) for a researcher to re-run or skip.
/// </summary>
public sealed partial class WorkRecovery(BotDatabase database, RunCommandProcessor processor, TimeProvider timeProvider, ILogger<WorkRecovery>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task<RecoveryReport> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);

        // An execution whose result was stored before the process died is finished, not in flight:
        // its item is retried like any other, and the handler re-sends the stored result without
        // running the command again.
        const string requeue = """
            UPDATE work_items
            SET status = 'pending', next_attempt_at = @now, last_error = 'lease of ' || locked_by || ' expired (process died?)',
                locked_by = NULL, locked_at = NULL, locked_until = NULL
            WHERE status = 'running' AND locked_until < @now
              AND (kind <> @execute OR EXISTS (SELECT 1 FROM executions e WHERE e.idempotency_key = work_items.idempotency_key))
            RETURNING id
            """;
        var requeued = (await connection.QueryAsync<long>(new CommandDefinition(requeue, new { now, execute = WorkKinds.ExecuteAction }, cancellationToken: cancellationToken))).Count();
        if (requeued > 0) LogRequeued(_logger, requeued);

        // Marking the item and telling the engine happen in one transaction, so neither is lost.
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        const string interrupt = """
            WITH expired AS (
                SELECT id FROM work_items
                WHERE status = 'running' AND locked_until < @now AND kind = @execute
                  AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.idempotency_key = work_items.idempotency_key)
                FOR UPDATE SKIP LOCKED)
            UPDATE work_items w
            SET status = 'interrupted', completed_at = @now, last_error = 'execution was in flight when ' || w.locked_by || ' stopped; not re-run',
                locked_by = NULL, locked_at = NULL, locked_until = NULL
            FROM expired WHERE w.id = expired.id
            RETURNING w.id, w.run_id, w.step_number
            """;
        var interrupted = (await connection.QueryAsync<(long id, long run_id, int step_number)>(new CommandDefinition(interrupt,
            new { now, execute = WorkKinds.ExecuteAction }, tx, cancellationToken: cancellationToken))).ToList();
        if (interrupted.Count > 0)
        {
            var requests = interrupted.Select(i => new RunCommandRequest(new RunId(i.run_id), new ExecutionInterrupted(ActorId.System, i.step_number))).ToList();
            var results = await processor.HandleInTransactionAsync(connection, tx, requests, cancellationToken);
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Error is { } error) LogInterruptRefused(_logger, requests[i].RunId, interrupted[i].step_number, error.ToString());
                else LogInterrupted(_logger, requests[i].RunId, interrupted[i].step_number, interrupted[i].id);
            }
        }
        await tx.CommitAsync(cancellationToken);

        const string summary = """
            SELECT (SELECT count(*) FROM runs WHERE status NOT IN ('completed', 'failed', 'aborted'))::int,
                   (SELECT count(*) FROM work_items WHERE status IN ('pending', 'running'))::int
            """;
        var (active, pending) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(summary, cancellationToken: cancellationToken));
        return new RecoveryReport(requeued, interrupted.Count, active, pending);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Returned {Count} work items with expired leases to the queue")]
    private static partial void LogRequeued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: execution (work item {WorkItemId}) was interrupted; waiting for a researcher to re-run or skip")]
    private static partial void LogInterrupted(ILogger logger, RunId runId, int step, long workItemId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: the engine refused ExecutionInterrupted: {Error}")]
    private static partial void LogInterruptRefused(ILogger logger, RunId runId, int step, string error);
}
