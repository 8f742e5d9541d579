namespace Bot.Data.Reads;

/// <summary>
/// The select lists of candidates, votes, decisions and runs, written once and used by the engine's
/// loader (<see cref="Stores.RunStateLoader"/>) and by every view (steps, runs, the tree, the
/// digest). Aliases are the constructor parameter names of the domain records, so Dapper builds
/// <see cref="Core.Domain.Candidate"/>, <see cref="Core.Domain.Vote"/>,
/// <see cref="Core.Domain.Decision"/> and <see cref="Core.Ports.RunSummary"/> itself (with
/// <see cref="DapperTypes"/>). Each list starts with the column its multi-mapping splits on.
/// </summary>
public static class ReadSql
{
    /// <summary>Columns of <c>candidates c</c>; split on <c>Number</c>.</summary>
    public static readonly string Candidate = $"""
        c.number AS "Number", {DapperTypes.Enum("c.kind", "\"Kind\"")}, c.text AS "Text", c.rationale AS "Rationale",
        {DapperTypes.Enum("c.source", "\"Source\"")}, c.author AS "Author", c.created_at AS "ProposedAt"
        """;

    /// <summary>Columns of <c>votes v</c>; split on <c>Voter</c>.</summary>
    public static readonly string Vote = """v.voter AS "Voter", v.candidate_number AS "CandidateNumber", v.cast_at AS "CastAt" """;

    /// <summary>Columns of <c>decisions d</c> (left-joined: all null when undecided); split on <c>CandidateNumber</c>.</summary>
    public static readonly string Decision = $"""
        d.candidate_number AS "CandidateNumber", {DapperTypes.Enum("d.method", "\"Method\"")}, d.decided_by AS "DecidedBy", d.decided_at AS "DecidedAt"
        """;

    /// <summary>Columns of <c>observations o</c> as <see cref="Core.Domain.Observation"/>.</summary>
    public const string Observation = """
        o.text AS "Text", o.exit_code AS "ExitCode", o.duration_ms * interval '1 millisecond' AS "Duration", o.truncated AS "Truncated"
        """;

    /// <summary>
    /// The order votes are shown and counted in, everywhere. Voters compare by code point (COLLATE "C"),
    /// as <see cref="Stores.KnownRuns"/> orders the votes it keeps: votes cast in one batch share a time.
    /// </summary>
    public const string VoteOrder = "v.cast_at, v.voter COLLATE \"C\"";

    /// <summary>Columns of <c>runs r</c> as <see cref="Core.Ports.RunSummary"/>.</summary>
    public static readonly string Run = $"""
        r.id AS "RunId", r.parent_run_id AS "ParentRunId", r.forked_from_step_id AS "ForkedFromStep",
        (SELECT o.run_id FROM steps o WHERE o.id = r.forked_from_step_id) AS "BranchedFromRun", {DapperTypes.Enum("r.branch_kind", "\"Branch\"")},
        r.task_name AS "TaskName", r.task_text AS "TaskText", r.model AS "Model", {DapperTypes.Enum("r.mode", "\"Mode\"")}, {DapperTypes.Enum("r.status", "\"Status\"")},
        r.current_step AS "CurrentStep", (SELECT count(*)::int FROM steps x WHERE x.run_id = r.id) AS "StepCount", r.discord_thread_id AS "Thread",
        r.created_by AS "CreatedBy", r.created_at AS "CreatedAt", r.settings::text AS "Settings", r.answer AS "Answer"
        """;
}
