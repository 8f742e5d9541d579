using Bot.Core.Engine;
using Bot.Core.Text;
using Bot.Data.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Data.Work;

/// <summary>A work item as stored, for inspection (dead items, tests, dashboards).</summary>
public sealed record WorkItemRow(
    long Id, string Kind, long? RunId, int? StepNumber, string IdempotencyKey, string Status, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, string? LockedBy, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

public enum RequeueOutcome
{
    Requeued,
    Unknown,
    NotDead,
}

/// <summary>What <see cref="WorkQueue.RequeueAsync"/> did; <paramref name="Status"/> is the item's status before (null when unknown).</summary>
public sealed record RequeueResult(RequeueOutcome Outcome, string? Status);

/// <summary>A claimed item: its row id, attempt number, and the deserialized work.</summary>
public sealed record ClaimedWork(long Id, int Attempt, string IdempotencyKey, WorkItem Item);

/// <summary>
/// The durable work table. Claims use <c>FOR UPDATE SKIP LOCKED</c> so workers in any number of
/// processes never take the same item; a claim is a lease that expires if its worker dies.
/// </summary>
public sealed partial class WorkQueue(BotDatabase database, TimeProvider timeProvider, IOptions<WorkQueueOptions> options, WorkSignal? signal = null,
    ILogger<WorkQueue>? logger = null)
{
    private readonly WorkQueueOptions _options = options.Value;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Adds work outside an engine command; a second item with the same idempotency key is ignored. Returns whether it was new.</summary>
    public async Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await InsertAsync(connection, null, item, cancellationToken);
        if (inserted) await WakeAsync(connection, cancellationToken);
        return inserted;
    }

    /// <summary>
    /// Adds work inside the caller's transaction, so the item exists exactly when the caller's rows
    /// do (a crash before the commit leaves neither). The caller calls <see cref="WakeAsync"/> after committing.
    /// </summary>
    public Task<bool> EnqueueAsync(WorkItem item, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return InsertAsync(transaction.Connection!, transaction, item, cancellationToken);
    }

    /// <summary>Wakes the local worker and (engine commands do not notify; see 0001_initial.sql) those of other processes.</summary>
    public async Task WakeAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        signal?.Set();
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify('bot_work', '')", cancellationToken: cancellationToken));
    }

    private async Task<bool> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, WorkItem item, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO work_items (kind, run_id, step_number, idempotency_key, payload, next_attempt_at, created_at)
            VALUES (@kind, @run_id, @step_number, @key, @payload::jsonb, @now, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;
        var now = timeProvider.GetUtcNow();
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            kind = WorkKinds.Of(item.GetType()),
            run_id = item.RunId.Value,
            step_number = item.StepNumber,
            key = item.IdempotencyKey,
            payload = DataJson.Serialize(item, item.GetType()),
            now,
        }, transaction, cancellationToken: cancellationToken));
        return inserted > 0;
    }

    /// <summary>Claims up to <paramref name="max"/> due items for <paramref name="workerId"/>.</summary>
    public async Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string workerId, int max, CancellationToken cancellationToken = default)
    {
        const string sql = """
            WITH due AS (
                SELECT id FROM work_items
                WHERE status = 'pending' AND next_attempt_at <= @now
                ORDER BY next_attempt_at, id
                LIMIT @max
                FOR UPDATE SKIP LOCKED)
            UPDATE work_items w
            SET status = 'running', attempts = w.attempts + 1, locked_by = @worker, locked_at = @now, locked_until = @until
            FROM due WHERE w.id = due.id
            RETURNING w.id, w.kind, w.payload::text AS payload, w.attempts, w.idempotency_key
            """;
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long id, string kind, string payload, int attempts, string idempotency_key)>(new CommandDefinition(sql,
            new { now, max, worker = workerId, until = now + _options.LeaseDuration }, cancellationToken: cancellationToken));

        var claimed = new List<ClaimedWork>();
        foreach (var row in rows.OrderBy(r => r.id))
        {
            if (WorkKinds.TypeOf(row.kind) is null)
            {
                // Written by a newer version of the bot, perhaps: leave it for a process that knows the kind.
                await FailAsync(row.id, workerId, $"Unknown work kind '{row.kind}' in this process", transient: true, cancellationToken: cancellationToken);
                continue;
            }
            claimed.Add(new ClaimedWork(row.id, row.attempts, row.idempotency_key, WorkKinds.Deserialize(row.kind, row.payload)));
        }
        return claimed;
    }

    private const string CompleteSql = """
        UPDATE work_items SET status = 'done', completed_at = @now, locked_by = NULL, locked_at = NULL, locked_until = NULL, last_error = NULL
        WHERE id = @id AND status = 'running' AND locked_by = @worker
        """;

    // Committed without waiting for the WAL flush (it follows within wal_writer_delay). Visible to
    // every process at once; only a crash of the database server itself in that moment can lose it.
    private const string CompleteLazilySql = "BEGIN;\nSET LOCAL synchronous_commit = off;\n" + CompleteSql + ";\nCOMMIT";

    /// <summary>
    /// Marks a claimed item done; false when the lease was lost (recovery gave it to someone else).
    /// <paramref name="lazily"/>: for work that is safe to do again (<see cref="WorkKinds.IsRedoable"/>),
    /// the commit does not wait for the disk. Losing it costs one repeat of the work; waiting for it
    /// added a WAL flush per render to the ones the votes wait for (docs/benchmarks.md, session 8).
    /// </summary>
    public async Task<bool> CompleteAsync(long id, string workerId, bool lazily = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(lazily ? CompleteLazilySql : CompleteSql,
            new { id, worker = workerId, now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        if (updated == 0) LogLeaseLost(_logger, id, workerId);
        return updated > 0;
    }

    /// <summary>
    /// Records a failed attempt: back to pending after a backoff, or dead when attempts are used up or the error is permanent.
    /// <paramref name="countAttempt"/> false (the database was unavailable, not the work wrong): the attempt is given back,
    /// so an outage cannot use up an item's attempts.
    /// </summary>
    public async Task<string> FailAsync(long id, string workerId, string error, bool transient, bool countAttempt = true,
        CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE work_items
            SET attempts = CASE WHEN @count_attempt OR NOT @transient THEN attempts ELSE GREATEST(attempts - 1, 0) END,
                status = CASE WHEN NOT @transient OR (@count_attempt AND attempts >= @max_attempts AND NOT kind = ANY(@forever)) THEN 'dead' ELSE 'pending' END,
                next_attempt_at = @now + make_interval(secs => LEAST(@max_delay, @base_delay * power(2, LEAST(GREATEST(attempts - 1, 0), 30))) * (0.5 + random() * 0.5)),
                last_error = @error, locked_by = NULL, locked_at = NULL, locked_until = NULL,
                completed_at = CASE WHEN NOT @transient OR (@count_attempt AND attempts >= @max_attempts AND NOT kind = ANY(@forever)) THEN @now END
            WHERE id = @id AND status = 'running' AND locked_by = @worker
            RETURNING status, kind, attempts, idempotency_key
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string status, string kind, int attempts, string key)?>(new CommandDefinition(sql, new
        {
            id,
            worker = workerId,
            error = SafeText.ForStorage(SafeText.Cut(error, 4000)),
            transient,
            count_attempt = countAttempt,
            max_attempts = _options.MaxAttempts,
            forever = _options.RetryForeverKinds,
            base_delay = _options.BaseRetryDelay.TotalSeconds,
            max_delay = _options.MaxRetryDelay.TotalSeconds,
            now = timeProvider.GetUtcNow(),
        }, cancellationToken: cancellationToken));
        if (row is not { } r)
        {
            LogLeaseLost(_logger, id, workerId);
            return "lost";
        }
        if (r.status == "dead") LogDead(_logger, id, r.kind, r.key, r.attempts, error);
        else LogRetrying(_logger, id, r.kind, r.attempts, error);
        return r.status;
    }

    /// <summary>Extends the lease of an item still being performed.</summary>
    public async Task<bool> RenewLeaseAsync(long id, string workerId, CancellationToken cancellationToken = default)
    {
        const string sql = "UPDATE work_items SET locked_until = @until WHERE id = @id AND status = 'running' AND locked_by = @worker";
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql,
            new { id, worker = workerId, until = timeProvider.GetUtcNow() + _options.LeaseDuration }, cancellationToken: cancellationToken)) > 0;
    }

    public Task<IReadOnlyList<WorkItemRow>> ListAsync(string? status = null, long? runId = null, CancellationToken cancellationToken = default) =>
        ListAsync(status, runId, cancellationToken, unfinishedOnly: false);

    private async Task<IReadOnlyList<WorkItemRow>> ListAsync(string? status, long? runId, CancellationToken cancellationToken, bool unfinishedOnly)
    {
        const string sql = """
            SELECT id AS "Id", kind AS "Kind", run_id AS "RunId", step_number AS "StepNumber", idempotency_key AS "IdempotencyKey", status AS "Status",
                   attempts AS "Attempts", next_attempt_at AS "NextAttemptAt", last_error AS "LastError", locked_by AS "LockedBy",
                   created_at AS "CreatedAt", completed_at AS "CompletedAt"
            FROM work_items
            WHERE (@status::text IS NULL OR status = @status::text) AND (@run_id::bigint IS NULL OR run_id = @run_id::bigint)
              AND (NOT @unfinished OR status <> 'done')
            ORDER BY id
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkItemRow>(new CommandDefinition(sql, new { status, run_id = runId, unfinished = unfinishedOnly }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Every item that is not done (pending, running, dead), oldest first.</summary>
    public Task<IReadOnlyList<WorkItemRow>> ListUnfinishedAsync(CancellationToken cancellationToken = default) =>
        ListAsync(status: null, runId: null, cancellationToken, unfinishedOnly: true);

    /// <summary>
    /// Gives a dead item a fresh set of attempts, due now, and wakes the workers. Only dead items:
    /// a pending or running one is already being taken care of, and a done one must not run twice.
    /// </summary>
    public async Task<RequeueResult> RequeueAsync(long id, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE work_items SET status = 'pending', attempts = 0, next_attempt_at = @now, completed_at = NULL,
                locked_by = NULL, locked_at = NULL, locked_until = NULL
            WHERE id = @id AND status = 'dead'
            RETURNING kind
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var kind = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { id, now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        if (kind is not null)
        {
            signal?.Set();
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify('bot_work', '')", cancellationToken: cancellationToken));
            LogRequeued(_logger, id, kind);
            return new RequeueResult(RequeueOutcome.Requeued, "dead");
        }
        var status = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT status FROM work_items WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return status is null ? new RequeueResult(RequeueOutcome.Unknown, null) : new RequeueResult(RequeueOutcome.NotDead, status);
    }

    /// <summary>Items that gave up: visible here and in the log, never silently dropped.</summary>
    public Task<IReadOnlyList<WorkItemRow>> ListDeadAsync(CancellationToken cancellationToken = default) => ListAsync("dead", null, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work item {WorkItemId} ({Kind}) was re-queued by an operator")]
    private static partial void LogRequeued(ILogger logger, long workItemId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work item {WorkItemId} was no longer leased by {WorkerId}; its result was not recorded")]
    private static partial void LogLeaseLost(ILogger logger, long workItemId, string workerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work item {WorkItemId} ({Kind}, {IdempotencyKey}) is dead after {Attempts} attempts: {Error}")]
    private static partial void LogDead(ILogger logger, long workItemId, string kind, string idempotencyKey, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work item {WorkItemId} ({Kind}) failed attempt {Attempts}, will retry: {Error}")]
    private static partial void LogRetrying(ILogger logger, long workItemId, string kind, int attempts, string error);
}
