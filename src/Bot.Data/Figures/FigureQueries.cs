using Bot.Core.Domain;
using Bot.Core.Reporting.Figures;
using Bot.Core.Results;
using Bot.Data.Digest;
using Bot.Data.Json;
using Dapper;
using Npgsql;

namespace Bot.Data.Figures;

/// <summary>
/// Loads the rows every figure is computed from (<see cref="FigureData"/>) in one snapshot, and
/// refuses scopes that cannot mean anything (a reversed range, a task or model no run has used).
/// </summary>
public sealed class FigureQueries(BotDatabase database)
{
    // Every run with the top-level run it belongs to: sub-runs count under the run that delegated.
    private const string Tree = """
        WITH RECURSIVE tree AS (
            SELECT id, id AS root FROM runs WHERE parent_run_id IS NULL
            UNION ALL
            SELECT r.id, t.root FROM runs r JOIN tree t ON r.parent_run_id = t.id
        ),
        roots AS (
            SELECT r.id, (r.status IN ('completed', 'failed', 'aborted') AND r.updated_at >= @from AND r.updated_at < @to) AS ended_in_scope
            FROM runs r
            WHERE r.parent_run_id IS NULL AND (@task::text IS NULL OR r.task_name = @task) AND (@model::text IS NULL OR r.model = @model)
        )
        """;

    // Steps opened in the scope, and every own step of a top-level run that ended in it (for the
    // step where a failed run first went wrong). The judge's pick is its best score, lowest number
    // first on a tie, as JudgeVerdict.Pick.
    private const string StepsSql = Tree + """
        SELECT s.id, t.root, s.run_id, s.number,
               (s.opened_at >= @from AND s.opened_at < @to) AS in_scope,
               coalesce((SELECT min(c.created_at) FROM candidates c WHERE c.step_id = s.id AND c.source = 'model'), s.opened_at) AS posted_at,
               d.candidate_number AS decided, d.method,
               (SELECT (e->>'candidate_number')::int FROM jsonb_array_elements(s.judge->'scores') e
                ORDER BY (e->>'score')::int DESC, (e->>'candidate_number')::int LIMIT 1) AS judge_pick
        FROM steps s
        JOIN tree t ON t.id = s.run_id
        JOIN roots o ON o.id = t.root
        LEFT JOIN decisions d ON d.step_id = s.id
        WHERE (s.opened_at >= @from AND s.opened_at < @to) OR (o.ended_in_scope AND s.run_id = o.id)
        ORDER BY s.id
        """;

    // A completed run succeeded unless its answer failed scoring.
    private const string RunsSql = Tree + """
        SELECT r.id, r.task_name, r.model,
               CASE WHEN r.status = 'completed' AND coalesce(sc.passed, true) THEN 'succeeded'
                    WHEN r.status IN ('completed', 'failed', 'aborted') THEN 'failed'
                    ELSE 'running' END AS outcome,
               o.ended_in_scope,
               (SELECT count(*)::int FROM steps s WHERE s.run_id = r.id) AS steps
        FROM roots o
        JOIN runs r ON r.id = o.id
        LEFT JOIN run_scores sc ON sc.run_id = r.id
        WHERE o.ended_in_scope OR r.id = ANY(@roots)
        ORDER BY r.id
        """;

    // Every read is ordered: the bootstrap draws units by position, so the same data must arrive in the same order.
    private const string CandidatesSql = "SELECT step_id, number, source, author FROM candidates WHERE step_id = ANY(@ids) ORDER BY step_id, number";

    private const string VotesSql = """
        SELECT v.step_id, v.voter, v.candidate_number,
               coalesce((SELECT min(h.cast_at) FROM vote_history h WHERE h.step_id = v.step_id AND h.voter = v.voter), v.cast_at) AS first_cast_at
        FROM votes v WHERE v.step_id = ANY(@ids)
        ORDER BY v.step_id, v.voter
        """;

    // Ratings and tag sets are append-only: the latest row per person counts.
    private const string RatingsSql = """
        SELECT DISTINCT ON (step_id, candidate_number, rater) step_id, candidate_number, rater, value
        FROM ratings WHERE step_id = ANY(@ids)
        ORDER BY step_id, candidate_number, rater, id DESC
        """;

    private const string TagSetsSql = """
        SELECT DISTINCT ON (step_id, actor) step_id, actor, tags
        FROM tag_sets WHERE step_id = ANY(@ids)
        ORDER BY step_id, actor, id DESC
        """;

    private const string StuckSql = """
        SELECT s.id AS step_id, coalesce((m.result->>'is_stuck')::boolean, false) AS is_stuck
        FROM model_calls m JOIN steps s ON s.run_id = m.run_id AND s.number = m.step_number
        WHERE m.purpose = 'stuck_check' AND s.id = ANY(@ids)
        ORDER BY s.id, m.id
        """;

    // Latest answer per person and post (the table keeps only that), on posts whose step is gold now:
    // unmarking a step withdraws its answers, re-marking scores them against the new answer.
    private const string GoldSql = Tree + """
        SELECT a.post_id, p.step_id, a.person, a.candidate, g.correct_candidate
        FROM calibration_answers a
        JOIN calibration_posts p ON p.id = a.post_id
        JOIN gold_steps g ON g.step_id = p.step_id
        JOIN steps s ON s.id = p.step_id
        JOIN tree t ON t.id = s.run_id
        JOIN roots o ON o.id = t.root
        WHERE a.answered_at >= @from AND a.answered_at < @to
        ORDER BY a.person, a.post_id
        """;

    public async Task<Result<FigureData>> LoadAsync(FigureScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.From is { } f && scope.To is { } t && t <= f)
            return FigureErrors.EmptyRange(f, t);

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for every read, so the figures agree with each other.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        if (await UnknownNameAsync(connection, transaction, "task_name", scope.Task, FigureErrors.UnknownTask, cancellationToken) is { } badTask) return badTask;
        if (await UnknownNameAsync(connection, transaction, "model", scope.Model, FigureErrors.UnknownModel, cancellationToken) is { } badModel) return badModel;

        var p = new DynamicParameters(new
        {
            from = (scope.From ?? DateTimeOffset.MinValue).UtcDateTime,
            to = (scope.To ?? DateTimeOffset.MaxValue).UtcDateTime,
            task = scope.Task,
            model = scope.Model,
        });
        CommandDefinition Cmd(string sql) => new(sql, p, transaction, cancellationToken: cancellationToken);

        var steps = (await connection.QueryAsync<StepRow>(Cmd(StepsSql))).ToList();
        p.Add("roots", steps.Select(s => s.root).Distinct().ToArray());
        p.Add("ids", steps.Select(s => s.id).ToArray());
        var runs = await connection.QueryAsync<RunRow>(Cmd(RunsSql));
        var candidates = await connection.QueryAsync<CandidateRow>(Cmd(CandidatesSql));
        var votes = await connection.QueryAsync<VoteRow>(Cmd(VotesSql));
        var ratings = await connection.QueryAsync<RatingRow>(Cmd(RatingsSql));
        var tagSets = await connection.QueryAsync<TagSetRow>(Cmd(TagSetsSql));
        var stuck = await connection.QueryAsync<StuckRow>(Cmd(StuckSql));
        var gold = await connection.QueryAsync<GoldRow>(Cmd(GoldSql));
        await transaction.CommitAsync(cancellationToken);

        return new FigureData(
            scope,
            runs.Select(r => new FigureRun(new RunId(r.id), r.task_name, r.model, DataJson.Parse<RunOutcome>(r.outcome), r.ended_in_scope, r.steps)).ToList(),
            steps.Select(s => new FigureStep(new StepId(s.id), new RunId(s.root), new RunId(s.run_id), s.number, s.in_scope,
                Stores.RunStateLoader.Utc(s.posted_at), s.decided, (s.method is null ? null : DataJson.Parse<DecisionMethod>(s.method)), s.judge_pick)).ToList(),
            candidates.Select(c => new FigureCandidate(new StepId(c.step_id), c.number, DataJson.Parse<CandidateSource>(c.source), new ActorId(c.author))).ToList(),
            votes.Select(v => new FigureVote(new StepId(v.step_id), new ActorId(v.voter), v.candidate_number, Stores.RunStateLoader.Utc(v.first_cast_at))).ToList(),
            ratings.Select(r => new FigureRating(new StepId(r.step_id), r.candidate_number, new ActorId(r.rater), r.value)).ToList(),
            tagSets.Select(t => new FigureTagSet(new StepId(t.step_id), new ActorId(t.actor), t.tags)).ToList(),
            stuck.Select(s => new FigureStuckCheck(new StepId(s.step_id), s.is_stuck)).ToList(),
            gold.Select(g => new FigureGoldAnswer(g.post_id, new StepId(g.step_id), new ActorId(g.person), g.candidate, g.correct_candidate)).ToList());
    }

    /// <summary>A task or model no top-level run has used is a typo, not an empty figure.</summary>
    private static async Task<Error?> UnknownNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string column, string? name,
        Func<string, IReadOnlyList<string>, Error> error, CancellationToken cancellationToken)
    {
        if (name is null) return null;
        // The column is one of two constants above, never input.
        string sql = $"SELECT DISTINCT {column} FROM runs WHERE parent_run_id IS NULL ORDER BY 1";
        var known = (await connection.QueryAsync<string>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken))).ToList();
        return known.Contains(name, StringComparer.Ordinal) ? null : error(name, known);
    }

#pragma warning disable IDE1006 // Column-named records: Dapper maps by name.
    private sealed record StepRow(long id, long root, long run_id, int number, bool in_scope, DateTime posted_at, int? decided, string? method, int? judge_pick);
    private sealed record RunRow(long id, string task_name, string model, string outcome, bool ended_in_scope, int steps);
    private sealed record CandidateRow(long step_id, int number, string source, string author);
    private sealed record VoteRow(long step_id, string voter, int candidate_number, DateTime first_cast_at);
    private sealed record RatingRow(long step_id, int candidate_number, string rater, short value);
    // A class with setters: Dapper cannot pass a text[] column to a constructor.
    private sealed class TagSetRow
    {
        public long step_id { get; set; }
        public string actor { get; set; } = "";
        public string[] tags { get; set; } = [];
    }
    private sealed record StuckRow(long step_id, bool is_stuck);
    private sealed record GoldRow(long post_id, long step_id, string person, int candidate, int correct_candidate);
#pragma warning restore IDE1006
}
