using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Json;
using Bot.Data.Postgres;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Bot.Data.Stores;

/// <summary>One command for one run; <see cref="InteractionId"/> (a Discord interaction id, or any caller key) makes it idempotent.</summary>
public sealed record RunCommandRequest(RunId RunId, RunCommand Command, string? InteractionId = null);

/// <summary>
/// What a handled command did, after it was committed. <see cref="Duplicate"/>: the interaction id was
/// seen before, nothing was changed, and <see cref="State"/> is the run as it is now.
/// </summary>
public sealed record CommandResult(RunState State, IReadOnlyList<RunEvent> Events, IReadOnlyList<WorkItem> Work, long Version, bool Duplicate = false);

/// <summary>
/// Handles engine commands durably: in one transaction it locks the run row, loads the state (or
/// takes the state it committed last, checked against the stored version: <see cref="KnownRuns"/>),
/// calls <see cref="RunEngine.Decide"/>, and writes the new state, the audit events and the work
/// the outcome asks for. A refused command writes nothing. Several commands can share one
/// transaction (<see cref="HandleManyAsync"/>); each result is returned only after the commit.
/// </summary>
public sealed partial class RunCommandProcessor(BotDatabase database, TimeProvider timeProvider, Work.WorkSignal? workSignal = null,
    ILogger<RunCommandProcessor>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly KnownRuns _known = new();

    public async Task<Result<CommandResult>> HandleAsync(RunId runId, RunCommand command, string? interactionId = null, CancellationToken cancellationToken = default) =>
        (await HandleManyAsync([new RunCommandRequest(runId, command, interactionId)], cancellationToken))[0];

    /// <summary>Handles the requests in order (per run) in one transaction; results are in request order.</summary>
    public async Task<IReadOnlyList<Result<CommandResult>>> HandleManyAsync(IReadOnlyList<RunCommandRequest> requests, CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0) return [];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // BEGIN travels with the load and COMMIT with the writes: two round trips per batch
                // instead of three (each one a wake-up of the server on a busy machine), or one when
                // the runs are known here (HandleInTransactionAsync). A connection
                // that goes back to the pool inside the transaction, after an exception, is rolled back.
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                var results = await HandleInTransactionAsync(connection, requests, fromMemory: attempt == 1, cancellationToken);
                if (results.Any(r => r.IsSuccess && r.Value.Work.Count > 0)) workSignal?.Set();
                return results;
            }
            catch (PostgresException ex) when (ex.SqlState == RunStateLoader.RunVersionMoved && attempt < 3)
            {
                // Another process (or a concurrent caller here) changed a run this batch decided from memory.
                LogVersionMoved(_logger, attempt);
            }
            catch (PostgresException ex) when (attempt < 3 && IsRetryable(ex))
            {
                // A concurrent duplicate interaction id or a deadlock: the retry sees the winner's rows.
                LogRetry(_logger, ex.SqlState, attempt);
            }
            catch (NpgsqlException ex) when (ex.IsTransient)
            {
                return requests.Select(_ => Result<CommandResult>.Fail(DataErrors.DatabaseUnavailable(ex))).ToList();
            }
        }
    }

    private static bool IsRetryable(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
        || (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "interactions_seen_pkey");

    /// <summary>
    /// The work of <see cref="HandleManyAsync"/>: opens its transaction with the load and commits it
    /// with the writes. When every run is known here (<see cref="KnownRuns"/>), the version check
    /// takes the load's place in front of the writes: one round trip. A repeated interaction id is
    /// then caught by the key of <c>interactions_seen</c> (the retry loads, and reports it), and a
    /// refused command with an interaction id is decided again after a load, because only the stored
    /// ids can tell a refusal from a repeat.
    /// </summary>
    /// <param name="fromMemory">False on a retry: the runs are loaded whatever is known of them.</param>
    private async Task<IReadOnlyList<Result<CommandResult>>> HandleInTransactionAsync(
        NpgsqlConnection connection, IReadOnlyList<RunCommandRequest> requests, bool fromMemory, CancellationToken cancellationToken)
    {
        var now = Now();
        var runIds = requests.Select(r => r.RunId).Distinct().OrderBy(r => r.Value).ToList();
        var known = _known.Of(runIds);
        try
        {
            if (fromMemory && known.Count == runIds.Count && known.Values.All(KnownRuns.CanDecideFrom))
            {
                var decided = Decide(requests, new Dictionary<RunId, LoadedRun>(known), [], now);
                if (!decided.Results.Where((r, i) => !r.IsSuccess && requests[i].InteractionId is not null).Any())
                    return await CommitAsync(connection, decided, known, cancellationToken);
            }
            var interactionIds = requests.Where(r => r.InteractionId is not null).Select(r => r.InteractionId!).Distinct().ToList();
            var (runs, seen) = await RunStateLoader.LoadAsync(connection, null, [.. runIds.Select(r => r.Value)], interactionIds, cancellationToken, known);
            return await CommitAsync(connection, Decide(requests, runs, seen, now), null, cancellationToken);
        }
        catch
        {
            // Rolled back, or its commit is in doubt: what this batch saw of its runs is not trusted again.
            _known.Forget(runIds);
            throw;
        }
    }

    /// <summary>What a batch decided: a result per request, the rows to write, and each run as it will be after the commit.</summary>
    private sealed record Decided(Result<CommandResult>[] Results, RunStateWriter Writes, Dictionary<RunId, LoadedRun> Runs);

    /// <summary>Applies the requests in order to <paramref name="runs"/> (updated in place); <paramref name="seen"/> holds the interaction ids already stored.</summary>
    private Decided Decide(IReadOnlyList<RunCommandRequest> requests, Dictionary<RunId, LoadedRun> runs, Dictionary<string, long> seen, DateTimeOffset now)
    {
        var results = new Result<CommandResult>[requests.Count];
        var batch = new RunStateWriter();
        var seenNow = new HashSet<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (!runs.TryGetValue(request.RunId, out var loaded))
            {
                results[i] = DataErrors.UnknownRun(request.RunId);
                continue;
            }
            if (request.InteractionId is { } iid && (seen.ContainsKey(iid) || seenNow.Contains(iid)))
            {
                LogDuplicate(_logger, iid, request.RunId);
                results[i] = new CommandResult(loaded.State, [], [], loaded.Version, Duplicate: true);
                continue;
            }

            var decided = RunEngine.Decide(loaded.State, request.Command, now);
            if (decided.Error is { } error)
            {
                results[i] = error;
                continue;
            }

            var outcome = decided.Value;
            var version = loaded.Version + 1;
            var lastSeq = batch.Add(loaded.State, request.Command, outcome, loaded.LastEventSeq, version, request.InteractionId, now);
            runs[request.RunId] = new LoadedRun(outcome.State, version, lastSeq);
            if (request.InteractionId is not null) seenNow.Add(request.InteractionId);
            results[i] = new CommandResult(outcome.State, outcome.Events, outcome.Work, version);
        }
        return new Decided(results, batch, runs);
    }

    /// <param name="decidedFrom">The known runs the batch was decided from without a load; null after a load.</param>
    private async Task<IReadOnlyList<Result<CommandResult>>> CommitAsync(NpgsqlConnection connection, Decided decided,
        IReadOnlyDictionary<RunId, LoadedRun>? decidedFrom, CancellationToken cancellationToken)
    {
        // A batch that changed nothing (every command refused or a duplicate) still ends its
        // transaction; decided from memory, it still checks that the refusals saw the runs as they are.
        await connection.ExecuteAsync(decided.Writes.ToCommand(null, cancellationToken, decidedFrom));
        foreach (var run in decided.Runs.Values) _known.Remember(run);
        return decided.Results;
    }

    /// <summary>Creates a run and its first step through <see cref="RunEngine.Start"/>.</summary>
    public async Task<Result<CommandResult>> StartRunAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await StartRunOnceAsync(request, cancellationToken);
        }
        catch (PostgresException ex) when (IsRetryable(ex))
        {
            // The same interaction id started a run concurrently; the second try returns that run as a duplicate.
            LogRetry(_logger, ex.SqlState, 1);
            return await StartRunOnceAsync(request, cancellationToken);
        }
    }

    private async Task<Result<CommandResult>> StartRunOnceAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.TaskName) || request.TaskName.Length > 200)
            return DataErrors.InvalidTask("The task name must be 1 to 200 characters.");
        if (string.IsNullOrWhiteSpace(request.Model))
            return DataErrors.InvalidTask("The model name must not be empty.");
        if (request.Settings.Validate().Error is { } invalid)
            return invalid;

        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            if (request.InteractionId is { } iid)
            {
                const string findSeen = "SELECT run_id FROM interactions_seen WHERE interaction_id = @iid";
                if (await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(findSeen, new { iid }, tx, cancellationToken: cancellationToken)) is long existing)
                {
                    var (runs, _) = await RunStateLoader.LoadAsync(connection, tx, [existing], [], cancellationToken);
                    var loaded = runs[new RunId(existing)];
                    return new CommandResult(loaded.State, [], [], loaded.Version, Duplicate: true);
                }
            }
            if (request.Parent is { Run: var parent })
            {
                const string parentExists = "SELECT EXISTS (SELECT 1 FROM runs WHERE id = @id)";
                if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(parentExists, new { id = parent.Value }, tx, cancellationToken: cancellationToken)))
                    return DataErrors.UnknownRun(parent);
            }
            if (request.Branch is { Step: var fork })
            {
                const string stepExists = "SELECT EXISTS (SELECT 1 FROM steps WHERE id = @id)";
                if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(stepExists, new { id = fork.Value }, tx, cancellationToken: cancellationToken)))
                    return DataErrors.UnknownStep(fork);
            }

            var now = Now();
            const string insertRun = """
                INSERT INTO runs (parent_run_id, parent_step, forked_from_step_id, branch_kind, tags, task_name, task_text, model, mode, settings, status, created_by, created_at, updated_at)
                VALUES (@parent, @parent_step, @fork, @branch_kind, @tags, @task_name, @task_text, @model, @mode, @settings::jsonb, 'generating_candidates', @created_by, @now, @now)
                RETURNING id
                """;
            var id = new RunId(await connection.ExecuteScalarAsync<long>(new CommandDefinition(insertRun, new
            {
                parent = request.Parent?.Run.Value,
                parent_step = request.Parent?.Step,
                fork = request.Branch?.Step.Value,
                branch_kind = request.Branch is { Kind: var kind } ? DataJson.Name(kind) : null,
                tags = (request.Tags ?? []).ToArray(),
                task_name = request.TaskName,
                task_text = request.TaskText,
                model = request.Model,
                mode = DataJson.Name(request.Settings.Mode),
                settings = DataJson.Serialize(request.Settings),
                created_by = request.StartedBy.Value,
                now,
            }, tx, cancellationToken: cancellationToken)));

            var started = RunEngine.Start(id, request.Settings, now, request.Parent?.Run);
            if (started.Error is { } error) return error;

            var batch = new RunStateWriter();
            var before = new RunState(id, RunStatus.GeneratingCandidates, request.Settings, null, null, request.Parent?.Run);
            batch.Add(before, null, started.Value, 0, 1, request.InteractionId, now);
            await connection.ExecuteAsync(batch.ToCommand(tx, cancellationToken));
            await tx.CommitAsync(cancellationToken);
            workSignal?.Set();
            LogStarted(_logger, id, request.TaskName, request.StartedBy.Value);
            return new CommandResult(started.Value.State, started.Value.Events, started.Value.Work, 1);
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            return DataErrors.DatabaseUnavailable(ex);
        }
    }

    /// <summary>The run's state as the engine would see it now (no lock).</summary>
    public async Task<Result<RunState>> LoadStateAsync(RunId runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var (runs, _) = await RunStateLoader.LoadAsync(connection, tx, [runId.Value], [], cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return runs.TryGetValue(runId, out var loaded) ? loaded.State : DataErrors.UnknownRun(runId);
    }

    // Decided on the stored precision, so memory (KnownRuns) and database agree.
    private DateTimeOffset Now() => StoredTime.Of(timeProvider.GetUtcNow());

    [LoggerMessage(Level = LogLevel.Information, Message = "Started run {RunId} on task {Task} for {Actor}")]
    private static partial void LogStarted(ILogger logger, RunId runId, string task, string actor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interaction {InteractionId} on run {RunId} was already handled; nothing changed")]
    private static partial void LogDuplicate(ILogger logger, string interactionId, RunId runId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A run of the command batch changed since this process last saw it; loading and deciding again (attempt {Attempt})")]
    private static partial void LogVersionMoved(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command batch hit {SqlState}; retrying (attempt {Attempt})")]
    private static partial void LogRetry(ILogger logger, string sqlState, int attempt);
}
