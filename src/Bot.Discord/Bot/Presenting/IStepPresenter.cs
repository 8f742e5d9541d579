using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// Puts runs and steps on Discord. Every method is safe to repeat: a step message is created once
/// (nonce + enforce_nonce, id stored before anything relies on it) and edited afterwards.
/// </summary>
public interface IStepPresenter
{
    /// <summary>
    /// Posts the step message (after the previous step's result, when the step has no message yet),
    /// or edits it to the step's current content when it exists.
    /// </summary>
    Task<Result> RenderStepAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default);

    /// <summary>Posts what the step's action returned (the full text attached when long).</summary>
    Task<Result> PostObservationAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes sure the run has its thread (opened in the runs channel, task card posted, linked from
    /// the parent's thread for sub-runs and forks); returns the thread id.
    /// </summary>
    Task<Result<ulong>> EnsureThreadAsync(RunId runId, CancellationToken cancellationToken = default);

    /// <summary>Posts a plain notice (e.g. the run's end or a stuck-check reflection) in the run's thread.</summary>
    Task<Result> PostNoticeAsync(RunId runId, string idempotencyKey, string text, CancellationToken cancellationToken = default);
}
