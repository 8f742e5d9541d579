using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Ports;

/// <summary>What marking a step as gold did.</summary>
/// <param name="Previous">The correct candidate before (null: the step was not gold).</param>
/// <param name="Current">The correct candidate now (null: unmarked).</param>
public sealed record GoldMarked(StepId StepId, int? Previous, int? Current);

/// <summary>
/// Gold steps: decided steps a researcher gave the right answer for. Errors (nothing stored):
/// <c>unknown_step</c>, <c>step_not_decided</c>, <c>unknown_candidate</c>.
/// </summary>
public interface IGoldSteps
{
    public const string StepNotDecidedCode = "step_not_decided";
    public const string UnknownCandidateCode = "unknown_candidate";

    /// <summary>Marks the step as gold with <paramref name="correctCandidate"/>, replacing an earlier answer; 0 unmarks it.</summary>
    Task<Result<GoldMarked>> MarkAsync(StepId stepId, int correctCandidate, ActorId researcher, CancellationToken cancellationToken = default);
}

/// <summary>A calibration post: a gold step shown again to contractors, with the answers it got.</summary>
/// <param name="PostedAt">When its message was stored (null: not posted yet).</param>
/// <param name="Answers">Each person's latest answer.</param>
public sealed record CalibrationPost(long Id, StepId StepId, DateTimeOffset CreatedAt, ChatRef? Message, DateTimeOffset? PostedAt, IReadOnlyList<Vote> Answers);

/// <summary>What an answer on a calibration post did; <paramref name="Previous"/> is the person's earlier answer.</summary>
public sealed record CalibrationAnswered(bool Changed, int? Previous);

/// <summary>
/// Calibration posts: planned after every N live steps are posted, posted once through a work item,
/// answered without ever reaching the engine. Errors: <c>unknown_calibration_post</c>,
/// <c>unknown_candidate</c> (the chat adapter closes a post after the original run's voting window).
/// </summary>
public interface ICalibration
{
    /// <summary>
    /// After a live step's message is posted: when at least <paramref name="every"/> live steps were
    /// posted since the last calibration post and a gold step exists, plans one post and its work
    /// item in one transaction. Returns the planned post's id, or null when none was due.
    /// </summary>
    Task<Result<long?>> PlanAfterLiveStepAsync(int every, CancellationToken cancellationToken = default);

    Task<Result<CalibrationPost>> GetPostAsync(long postId, CancellationToken cancellationToken = default);

    /// <summary>Stores the post's message unless one is stored; returns the stored one.</summary>
    Task<ChatRef> SetMessageAsync(long postId, ChatRef message, CancellationToken cancellationToken = default);

    /// <summary>Records <paramref name="person"/>'s answer (the latest counts).</summary>
    Task<Result<CalibrationAnswered>> AnswerAsync(long postId, ActorId person, int candidate, CancellationToken cancellationToken = default);
}
