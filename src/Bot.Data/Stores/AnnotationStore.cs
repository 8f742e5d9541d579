using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Bot.Core.Domain;
using Bot.Core.Results;
using Dapper;
using Microsoft.Extensions.Options;

namespace Bot.Data.Stores;

/// <summary>The tag taxonomy contractors choose from (free text goes in the note).</summary>
public sealed class AnnotationOptions
{
    public const string SectionName = "Annotations";

    [MinLength(1)]
    public List<string> Tags { get; set; } =
        ["good-step", "bad-command", "unsafe", "off-task", "hallucination", "repetitive", "stuck", "clever", "other"];
}

/// <summary>A rating as stored; the latest per rater and candidate counts.</summary>
public sealed record RatingRow(long Id, StepId StepId, int CandidateNumber, ActorId Rater, int Value, DateTimeOffset CreatedAt);

/// <summary>
/// Ratings, tags and comments. They do not change the run, so they bypass the engine and are
/// appended directly; invalid input and unknown ids are named errors and store nothing.
/// </summary>
public sealed partial class AnnotationStore(BotDatabase database, TimeProvider timeProvider, IOptions<AnnotationOptions> options)
{
    public const int MaxNoteLength = 2000;
    public const int MaxCommentLength = 4000;
    private readonly HashSet<string> _tags = options.Value.Tags.ToHashSet(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Taxonomy => _tags;

    public async Task<Result<long>> RateAsync(StepId stepId, int candidateNumber, ActorId rater, int value, CancellationToken cancellationToken = default)
    {
        if (value < Limits.MinRating || value > Limits.MaxRating) return DataErrors.RatingOutOfRange(value);
        const string sql = """
            INSERT INTO ratings (step_id, candidate_number, rater, value, created_at)
            SELECT c.step_id, c.number, @rater, @value, @now FROM candidates c WHERE c.step_id = @step AND c.number = @candidate
            RETURNING id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql,
            new { step = stepId.Value, candidate = candidateNumber, rater = rater.Value, value = (short)value, now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        return id is long inserted ? inserted : await MissingAsync(c, stepId, candidateNumber, cancellationToken);
    }

    /// <summary>Tags a step, or one candidate of it when <paramref name="candidateNumber"/> is given.</summary>
    public async Task<Result<long>> TagAsync(StepId stepId, int? candidateNumber, string tag, string? note, ActorId actor, CancellationToken cancellationToken = default)
    {
        if (!_tags.Contains(tag))
            return DataErrors.InvalidTag($"Unknown tag '{tag}'; choose one of: {string.Join(", ", _tags.Order(StringComparer.Ordinal))}.");
        if (!TagShape().IsMatch(tag))
            return DataErrors.InvalidTag($"Tag '{tag}' must be lower-case letters, digits, '-' or '_' (at most 64).");
        if (note is { Length: > MaxNoteLength })
            return DataErrors.InvalidTag($"The note is {note.Length} characters; the limit is {MaxNoteLength}.");
        const string sql = """
            INSERT INTO tags (step_id, candidate_number, tag, note, actor, created_at)
            SELECT s.id, @candidate, @tag, @note, @actor, @now FROM steps s
            WHERE s.id = @step AND (@candidate::int IS NULL OR EXISTS (SELECT 1 FROM candidates c WHERE c.step_id = s.id AND c.number = @candidate::int))
            RETURNING id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql,
            new { step = stepId.Value, candidate = candidateNumber, tag, note, actor = actor.Value, now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        return id is long inserted ? inserted : await MissingAsync(c, stepId, candidateNumber ?? 0, cancellationToken);
    }

    /// <summary>A comment on a run, or on one of its steps.</summary>
    public async Task<Result<long>> CommentAsync(RunId runId, StepId? stepId, ActorId author, string text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text)) return DataErrors.InvalidComment("The comment is empty.");
        if (text.Length > MaxCommentLength) return DataErrors.InvalidComment($"The comment is {text.Length} characters; the limit is {MaxCommentLength}.");
        const string sql = """
            INSERT INTO comments (run_id, step_id, author, text, created_at)
            SELECT r.id, @step, @author, @text, @now FROM runs r
            WHERE r.id = @run AND (@step::bigint IS NULL OR EXISTS (SELECT 1 FROM steps s WHERE s.id = @step::bigint AND s.run_id = r.id))
            RETURNING id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql,
            new { run = runId.Value, step = stepId?.Value, author = author.Value, text, now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        if (id is long inserted) return inserted;
        const string runExists = "SELECT EXISTS (SELECT 1 FROM runs WHERE id = @run)";
        return await c.ExecuteScalarAsync<bool>(new CommandDefinition(runExists, new { run = runId.Value }, cancellationToken: cancellationToken))
            ? DataErrors.UnknownStep(stepId!.Value)
            : DataErrors.UnknownRun(runId);
    }

    /// <summary>The rating that counts for each (candidate, rater) of a step: the latest.</summary>
    public async Task<IReadOnlyList<RatingRow>> LatestRatingsAsync(StepId stepId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT DISTINCT ON (candidate_number, rater) id, candidate_number, rater, value, created_at
            FROM ratings WHERE step_id = @step ORDER BY candidate_number, rater, id DESC
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await c.QueryAsync<(long id, int candidate_number, string rater, short value, DateTime created_at)>(new CommandDefinition(sql, new { step = stepId.Value }, cancellationToken: cancellationToken));
        return rows.Select(r => new RatingRow(r.id, stepId, r.candidate_number, new ActorId(r.rater), r.value, RunStateLoader.Utc(r.created_at))).ToList();
    }

    private static async Task<Bot.Core.Results.Error> MissingAsync(Npgsql.NpgsqlConnection c, StepId stepId, int candidateNumber, CancellationToken cancellationToken)
    {
        const string stepExists = "SELECT EXISTS (SELECT 1 FROM steps WHERE id = @step)";
        return await c.ExecuteScalarAsync<bool>(new CommandDefinition(stepExists, new { step = stepId.Value }, cancellationToken: cancellationToken))
            ? DataErrors.UnknownCandidate(stepId, candidateNumber)
            : DataErrors.UnknownStep(stepId);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex TagShape();
}
