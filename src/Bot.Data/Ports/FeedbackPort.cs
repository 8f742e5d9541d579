using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Data.Work;
using Dapper;

namespace Bot.Data.Ports;

/// <summary>
/// <see cref="IFeedbackStore"/> over the append-only ratings, tags and comments tables. A tag
/// submission is a set of rows sharing one timestamp; the actor's latest set counts, and an empty
/// set is stored as the single tag <see cref="NoTags"/> so clearing is recorded too.
/// </summary>
public sealed class FeedbackPort(BotDatabase database, AnnotationStore annotations, WorkQueue work, TimeProvider time) : IFeedbackStore
{
    public const string NoTags = "untagged";
    public const string StuckCheckComment = "[stuck-check requested]";

    public async Task<Result<bool>> RateAsync(StepId stepId, int candidateNumber, ActorId rater, int value, CancellationToken cancellationToken = default)
    {
        var current = await RatingsOfAsync(stepId, rater, cancellationToken);
        if (current.TryGetValue(candidateNumber, out var existing) && existing == value) return false;
        var stored = await annotations.RateAsync(stepId, candidateNumber, rater, value, cancellationToken);
        return stored.Error is { } error ? error : true;
    }

    public async Task<IReadOnlyDictionary<int, int>> RatingsOfAsync(StepId stepId, ActorId rater, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT DISTINCT ON (candidate_number) candidate_number, value FROM ratings
            WHERE step_id = @step AND rater = @rater ORDER BY candidate_number, id DESC
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await c.QueryAsync<(int candidate_number, short value)>(new CommandDefinition(sql, new { step = stepId.Value, rater = rater.Value }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.candidate_number, r => (int)r.value);
    }

    public async Task<Result<bool>> TagAsync(StepId stepId, IReadOnlyList<string> tags, ActorId actor, CancellationToken cancellationToken = default)
    {
        var wanted = tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (wanted.FirstOrDefault(t => !System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z0-9][a-z0-9_-]{0,63}$")) is { } bad)
            return DataErrors.InvalidTag($"Tag '{bad}' must be lower-case letters, digits, '-' or '_'.");
        var current = await TagsOfAsync(stepId, actor, cancellationToken);
        if (current.Order(StringComparer.Ordinal).SequenceEqual(wanted, StringComparer.Ordinal)) return false;
        const string sql = """
            INSERT INTO tags (step_id, tag, actor, created_at)
            SELECT s.id, t.tag, @actor,
                   -- Each submission needs its own timestamp to stay a separate set, even under a frozen test clock.
                   GREATEST(@now::timestamptz, (SELECT max(x.created_at) + interval '1 microsecond' FROM tags x WHERE x.step_id = s.id AND x.actor = @actor))
            FROM steps s CROSS JOIN unnest(@tags::text[]) AS t(tag) WHERE s.id = @step
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await c.ExecuteAsync(new CommandDefinition(sql, new
        {
            step = stepId.Value, actor = actor.Value, now = time.GetUtcNow(), tags = (wanted.Count == 0 ? [NoTags] : wanted).ToArray(),
        }, cancellationToken: cancellationToken));
        return rows == 0 ? DataErrors.UnknownStep(stepId) : true;
    }

    public async Task<IReadOnlyList<string>> TagsOfAsync(StepId stepId, ActorId actor, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT tag FROM tags WHERE step_id = @step AND actor = @actor AND candidate_number IS NULL
              AND created_at = (SELECT max(created_at) FROM tags WHERE step_id = @step AND actor = @actor AND candidate_number IS NULL)
            ORDER BY tag
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var tags = await c.QueryAsync<string>(new CommandDefinition(sql, new { step = stepId.Value, actor = actor.Value }, cancellationToken: cancellationToken));
        return tags.Where(t => t != NoTags).ToList();
    }

    public async Task<Result<bool>> CommentAsync(StepId stepId, ActorId author, string text, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT s.run_id, EXISTS (SELECT 1 FROM comments c WHERE c.step_id = s.id AND c.author = @author AND c.text = @text) AS seen
            FROM steps s WHERE s.id = @step
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<(long run_id, bool seen)?>(new CommandDefinition(sql, new { step = stepId.Value, author = author.Value, text }, cancellationToken: cancellationToken));
        if (row is not { } found) return DataErrors.UnknownStep(stepId);
        // The same comment twice is a re-delivered modal submit, not a second opinion.
        if (found.seen) return false;
        var stored = await annotations.CommentAsync(new RunId(found.run_id), stepId, author, text, cancellationToken);
        return stored.Error is { } error ? error : true;
    }

    public async Task<Result<bool>> RequestStuckCheckAsync(StepId stepId, ActorId requestedBy, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM comments WHERE step_id = @step AND text = @text)";
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken))
        {
            if (await c.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { step = stepId.Value, text = StuckCheckComment }, cancellationToken: cancellationToken)))
                return false;
        }
        var recorded = await CommentAsync(stepId, requestedBy, StuckCheckComment, cancellationToken);
        if (recorded.Error is not null || !recorded.Value) return recorded;

        // The check itself is a model call: queued, so the click is answered at once.
        const string stepSql = "SELECT run_id, number FROM steps WHERE id = @id";
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var (runId, number) = await connection.QuerySingleAsync<(long, int)>(new CommandDefinition(stepSql, new { id = stepId.Value }, cancellationToken: cancellationToken));
        await work.EnqueueAsync(new StuckCheckWork(new RunId(runId), number), cancellationToken);
        return true;
    }
}
