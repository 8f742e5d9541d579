using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Stores;
using Bot.Data.Work;
using Dapper;

namespace Bot.Data.Gold;

/// <summary>
/// <see cref="ICalibration"/> over calibration_posts and calibration_answers. These tables are the
/// only thing a calibration post writes: no vote, event or run row of the original run.
/// </summary>
public sealed class CalibrationStore(BotDatabase database, WorkQueue work, TimeProvider time) : ICalibration
{
    public const string UnknownPostCode = "unknown_calibration_post";

    // Any constant: serialises planning across processes (a post per N live steps, never two).
    private const long PlanLock = 0x676f6c64;

    public async Task<Result<long?>> PlanAfterLiveStepAsync(int every, CancellationToken cancellationToken = default)
    {
        if (every <= 0) return (long?)null;
        // Live steps posted so far against the count the last post was planned at; the fairest gold
        // step is the one shown least, then the one marked first.
        const string due = """
            SELECT (SELECT count(*) FROM steps WHERE discord_message_id IS NOT NULL) AS live,
                   (SELECT coalesce(max(after_live_steps), 0) FROM calibration_posts) AS last,
                   (SELECT g.step_id FROM gold_steps g
                    ORDER BY (SELECT count(*) FROM calibration_posts p WHERE p.step_id = g.step_id), g.marked_at, g.step_id
                    LIMIT 1) AS gold
            """;
        const string insert = """
            INSERT INTO calibration_posts (step_id, after_live_steps, created_at)
            SELECT @gold, @live, @now
            RETURNING id, (SELECT s.run_id FROM steps s WHERE s.id = @gold) AS run_id, (SELECT s.number FROM steps s WHERE s.id = @gold) AS number
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        // Every live step posted asks; without a gold step (the usual case) the answer is no, so skip
        // the lock and the count of every posted step.
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM gold_steps)", cancellationToken: cancellationToken)))
            return (long?)null;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = PlanLock }, transaction, cancellationToken: cancellationToken));
        var state = await connection.QuerySingleAsync<(long live, long last, long? gold)>(new CommandDefinition(due, transaction: transaction, cancellationToken: cancellationToken));
        if (state.gold is not { } gold || state.live - state.last < every) return (long?)null;
        var post = await connection.QuerySingleAsync<(long id, long run_id, int number)>(new CommandDefinition(insert,
            new { gold, state.live, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        // In the same transaction: the post exists exactly when its work item does, so a crash posts it once or never plans it.
        await work.EnqueueAsync(new PostCalibrationWork(new RunId(post.run_id), post.number, post.id), transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await work.WakeAsync(connection, cancellationToken);
        return post.id;
    }

    public async Task<Result<CalibrationPost>> GetPostAsync(long postId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT id, step_id, created_at, message, posted_at FROM calibration_posts WHERE id = @id;
            SELECT person, candidate, answered_at FROM calibration_answers WHERE post_id = @id ORDER BY answered_at, person;
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { id = postId }, cancellationToken: cancellationToken));
        var post = await grid.ReadSingleOrDefaultAsync<(long id, long step_id, DateTime created_at, string? message, DateTime? posted_at)?>();
        var answers = (await grid.ReadAsync<(string person, int candidate, DateTime answered_at)>())
            .Select(a => new Vote(new ActorId(a.person), a.candidate, RunStateLoader.Utc(a.answered_at))).ToList();
        if (post is not { } p) return UnknownPost(postId);
        return new CalibrationPost(p.id, new StepId(p.step_id), RunStateLoader.Utc(p.created_at),
            p.message is null ? null : new ChatRef(p.message), RunStateLoader.Utc(p.posted_at), answers);
    }

    public async Task<ChatRef> SetMessageAsync(long postId, ChatRef message, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE calibration_posts SET message = coalesce(message, @message), posted_at = coalesce(posted_at, @now)
            WHERE id = @id RETURNING message
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql,
            new { id = postId, message = message.Value, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return stored is null ? throw new InvalidOperationException($"Calibration post {postId} does not exist; its message cannot be linked.") : new ChatRef(stored);
    }

    public async Task<Result<CalibrationAnswered>> AnswerAsync(long postId, ActorId person, int candidate, CancellationToken cancellationToken = default)
    {
        // The previous answer is read in the same statement that replaces it, so two clicks agree on what changed.
        const string sql = """
            WITH post AS (
                SELECT p.id, EXISTS (SELECT 1 FROM candidates c WHERE c.step_id = p.step_id AND c.number = @candidate) AS has_candidate
                FROM calibration_posts p WHERE p.id = @post
            ),
            previous AS (SELECT candidate FROM calibration_answers WHERE post_id = @post AND person = @person FOR UPDATE),
            stored AS (
                INSERT INTO calibration_answers (post_id, person, candidate, answered_at)
                SELECT id, @person, @candidate, @now FROM post WHERE has_candidate
                ON CONFLICT (post_id, person) DO UPDATE SET candidate = excluded.candidate, answered_at = excluded.answered_at
                WHERE calibration_answers.candidate <> excluded.candidate
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM post) = 1 AS found, coalesce((SELECT has_candidate FROM post), false) AS has_candidate,
                   (SELECT candidate FROM previous) AS previous, EXISTS (SELECT 1 FROM stored) AS changed
            """;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(bool found, bool has_candidate, int? previous, bool changed)>(new CommandDefinition(sql,
            new { post = postId, person = person.Value, candidate, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        if (!row.found) return UnknownPost(postId);
        if (!row.has_candidate) return new Error(DataErrors.UnknownCandidateCode, $"Calibration post {postId} has no candidate #{candidate}.");
        return new CalibrationAnswered(row.changed, row.previous);
    }

    private static Error UnknownPost(long postId) => new(UnknownPostCode, $"Calibration post {postId} does not exist.");
}
