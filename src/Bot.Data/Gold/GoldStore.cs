using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Stores;
using Dapper;

namespace Bot.Data.Gold;

/// <summary>
/// <see cref="IGoldSteps"/>: one current answer per step in gold_steps, every change appended to
/// gold_step_history. The checks and the write share one transaction that locks the step row, so a
/// refused mark stores nothing.
/// </summary>
public sealed class GoldStore(BotDatabase database, TimeProvider time) : IGoldSteps
{
    public async Task<Result<GoldMarked>> MarkAsync(StepId stepId, int correctCandidate, ActorId researcher, CancellationToken cancellationToken = default)
    {
        const string load = """
            SELECT (SELECT d.candidate_number FROM decisions d WHERE d.step_id = s.id) AS decided_candidate,
                   EXISTS (SELECT 1 FROM candidates c WHERE c.step_id = s.id AND c.number = @candidate) AS has_candidate,
                   (SELECT g.correct_candidate FROM gold_steps g WHERE g.step_id = s.id) AS previous
            FROM steps s WHERE s.id = @step FOR UPDATE OF s
            """;
        const string upsert = """
            INSERT INTO gold_steps (step_id, correct_candidate, marked_by, marked_at) VALUES (@step, @candidate, @by, @now)
            ON CONFLICT (step_id) DO UPDATE SET correct_candidate = excluded.correct_candidate, marked_by = excluded.marked_by, marked_at = excluded.marked_at
            """;
        const string delete = "DELETE FROM gold_steps WHERE step_id = @step";
        const string history = """
            INSERT INTO gold_step_history (step_id, correct_candidate, marked_by, marked_at) VALUES (@step, @correct, @by, @now)
            """;
        if (correctCandidate < 0) return DataErrors.UnknownCandidate(stepId, correctCandidate);

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var args = new { step = stepId.Value, candidate = correctCandidate, by = researcher.Value, now = time.GetUtcNow() };
        var row = await connection.QuerySingleOrDefaultAsync<(int? decided_candidate, bool has_candidate, int? previous)?>(
            new CommandDefinition(load, args, transaction, cancellationToken: cancellationToken));
        if (row is not { } step) return DataErrors.UnknownStep(stepId);
        // Only a decided step has been through a vote: its candidates are final and people saw them whole.
        if (step.decided_candidate is null)
            return new Error(IGoldSteps.StepNotDecidedCode, $"Step {stepId} is not decided yet; only a decided step can be gold.");
        if (correctCandidate > 0 && !step.has_candidate) return DataErrors.UnknownCandidate(stepId, correctCandidate);

        int? current = correctCandidate == 0 ? null : correctCandidate;
        if (step.previous == current) return new GoldMarked(stepId, step.previous, current);
        await connection.ExecuteAsync(new CommandDefinition(current is null ? delete : upsert, args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(history, new { args.step, correct = current, args.by, args.now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new GoldMarked(stepId, step.previous, current);
    }
}
