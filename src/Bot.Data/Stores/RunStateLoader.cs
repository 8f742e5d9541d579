using System.Data;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Reads;
using Dapper;

namespace Bot.Data.Stores;

/// <summary>A run row locked for update, with its current step as the engine sees it.</summary>
internal sealed record LoadedRun(RunState State, long Version, long LastEventSeq);

/// <summary>Loads (and locks, in id order) the runs a batch of commands touches, in one round trip.</summary>
internal static class RunStateLoader
{
    // Rows in the order of their constructors (Dapper maps by position and name). Candidates, votes
    // and decisions are the shared columns of ReadSql behind the run they belong to: Dapper's grid
    // reader has no async multi-mapping, so these records carry the key and hand back the domain value.
    private sealed record RunRow(RunId RunId, RunStatus Status, RunSettings Settings, RunStatus? PausedFrom, RunId? ParentRunId, long Version, long LastEventSeq);
    private sealed record StepRow(RunId RunId, int Number, DateTimeOffset OpenedAt, DateTimeOffset? Deadline, JudgeVerdict? Judge, long Revision,
        int GenerationAttempt, int ExecutionAttempt, string? GenerationFailure, RunId? SubRun,
        int? CandidateNumber, DecisionMethod? Method, ActorId? DecidedBy, DateTimeOffset? DecidedAt)
    {
        public Decision? Decision => CandidateNumber is int n ? new(n, Method!.Value, DecidedBy!.Value, DecidedAt!.Value) : null;
    }
    private sealed record RunCandidate(RunId Run, int Number, CandidateKind Kind, string Text, string? Rationale, CandidateSource Source, ActorId Author, DateTimeOffset ProposedAt)
    {
        public Candidate Candidate => new(Number, Kind, Text, Rationale, Source, Author, ProposedAt);
    }
    private sealed record RunVote(RunId Run, ActorId Voter, int CandidateNumber, DateTimeOffset CastAt)
    {
        public Vote Vote => new(Voter, CandidateNumber, CastAt);
    }
    private sealed record SeenRow(string InteractionId, long RunId);

    // Every statement after the first sees the rows as of its own start, i.e. after the lock was granted.
    private static readonly string LoadSql = $"""
        SELECT id AS "RunId", {DapperTypes.Enum("status", "\"Status\"")}, settings::text AS "Settings", {DapperTypes.Enum("paused_from", "\"PausedFrom\"")},
               parent_run_id AS "ParentRunId", version AS "Version", last_event_seq AS "LastEventSeq"
        FROM runs WHERE id = ANY(@run_ids) ORDER BY id FOR UPDATE;

        SELECT s.run_id AS "RunId", s.number AS "Number", s.opened_at AS "OpenedAt", s.deadline AS "Deadline", s.judge::text AS "Judge",
               s.revision AS "Revision", s.generation_attempt AS "GenerationAttempt", s.execution_attempt AS "ExecutionAttempt",
               s.generation_error AS "GenerationFailure",
               (SELECT max(c.id) FROM runs c WHERE c.parent_run_id = s.run_id AND c.parent_step = s.number) AS "SubRun",
               {ReadSql.Decision}
        FROM runs r JOIN steps s ON s.run_id = r.id AND s.number = r.current_step LEFT JOIN decisions d ON d.step_id = s.id
        WHERE r.id = ANY(@run_ids);

        SELECT s.run_id AS "Run", {ReadSql.Candidate}
        FROM runs r JOIN steps s ON s.run_id = r.id AND s.number = r.current_step JOIN candidates c ON c.step_id = s.id
        WHERE r.id = ANY(@run_ids) ORDER BY s.run_id, c.number;

        SELECT s.run_id AS "Run", {ReadSql.Vote}
        FROM runs r JOIN steps s ON s.run_id = r.id AND s.number = r.current_step JOIN votes v ON v.step_id = s.id
        JOIN unnest(@run_ids::bigint[], @known_versions::bigint[]) AS k(id, version) ON k.id = r.id
        WHERE r.version <> k.version ORDER BY s.run_id, {ReadSql.VoteOrder};

        SELECT interaction_id AS "InteractionId", run_id AS "RunId" FROM interactions_seen WHERE interaction_id = ANY(@interaction_ids)
        """;

    // Every statement of a batch reaches its rows by key, and the server planned some of them again
    // at each execution (it kept preferring custom plans: 21 % of the statements' server time at 500
    // clicks/s, measured with track_planning). In the batch's own transaction they take the plan
    // prepared once; with sequential scans off, that plan keeps to the keys even while a table is
    // small enough for a scan to look cheaper (docs/benchmarks.md, session 6).
    internal const string BeginSql = """
        BEGIN;
        SET LOCAL plan_cache_mode = force_generic_plan;
        SET LOCAL enable_seqscan = off
        """;

    private static readonly string BeginAndLoadSql = BeginSql + ";\n" + LoadSql;

    /// <summary>In place of the load, for runs decided from <see cref="KnownRuns"/>: fails with <see cref="RunVersionMoved"/> unless they are still at these versions.</summary>
    internal const string GuardSql = "SELECT lock_runs_at_versions(@g_ids, @g_versions)";

    /// <summary>The SQLSTATE <c>lock_runs_at_versions</c> raises (migration 0011).</summary>
    internal const string RunVersionMoved = "BV001";

    /// <param name="transaction">The caller's transaction; null to begin one with the load itself (BEGIN travels with it).</param>
    /// <param name="known">Runs known at a version (<see cref="KnownRuns.Of"/>): their votes are not read again while the version holds.</param>
    public static async Task<(Dictionary<RunId, LoadedRun> Runs, Dictionary<string, long> Seen)> LoadAsync(
        IDbConnection connection, IDbTransaction? transaction, IReadOnlyCollection<long> runIds, IReadOnlyCollection<string> interactionIds,
        CancellationToken cancellationToken, IReadOnlyDictionary<RunId, LoadedRun>? known = null)
    {
        var ids = runIds.ToArray();
        known ??= new Dictionary<RunId, LoadedRun>();
        var knownVersions = ids.Select(id => known.TryGetValue(new RunId(id), out var k) ? k.Version : -1).ToArray();
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(transaction is null ? BeginAndLoadSql : LoadSql,
            new { run_ids = ids, known_versions = knownVersions, interaction_ids = interactionIds.ToArray() }, transaction, cancellationToken: cancellationToken));
        var runs = (await grid.ReadAsync<RunRow>()).ToList();
        var steps = (await grid.ReadAsync<StepRow>()).ToDictionary(s => s.RunId);
        var candidates = (await grid.ReadAsync<RunCandidate>()).ToLookup(c => c.Run, c => c.Candidate);
        var votes = (await grid.ReadAsync<RunVote>()).ToLookup(v => v.Run, v => v.Vote);
        var seen = (await grid.ReadAsync<SeenRow>()).ToDictionary(s => s.InteractionId, s => s.RunId);

        var result = new Dictionary<RunId, LoadedRun>();
        foreach (var run in runs)
        {
            // Not read when known at this version: the run has not changed since they were remembered.
            StepState? step = steps.TryGetValue(run.RunId, out var found)
                ? new StepState(found.Number, found.OpenedAt, found.Deadline, candidates[run.RunId].ToList(),
                    known.TryGetValue(run.RunId, out var k) && k.Version == run.Version && k.State.Step is { } knownStep ? knownStep.Votes : votes[run.RunId].ToList(),
                    found.Judge, found.Decision, found.Revision, found.GenerationAttempt, found.ExecutionAttempt, found.GenerationFailure, found.SubRun)
                : null;
            var state = new RunState(run.RunId, run.Status, run.Settings, step, run.PausedFrom, run.ParentRunId);
            result[state.RunId] = new LoadedRun(state, run.Version, run.LastEventSeq);
        }
        return (result, seen);
    }

    // Timestamps read as DateTime (timestamptz comes back as UTC) for the queries that build domain values by hand.
    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    internal static DateTimeOffset? Utc(DateTime? value) => value is DateTime v ? Utc(v) : null;
}
