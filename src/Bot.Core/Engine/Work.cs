using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>
/// A side effect the engine asks for. Written to the work table in the same transaction as the
/// state change, then performed by a worker with <see cref="IdempotencyKey"/> so a retry after a
/// crash does not do it twice.
/// </summary>
public abstract record WorkItem(RunId RunId, int StepNumber)
{
    /// <summary>Stable key: the same request for the same step always has the same key.</summary>
    public abstract string IdempotencyKey { get; }
}

/// <summary>Ask the model for the step's candidates. <paramref name="Attempt"/> grows with each RetryGeneration.</summary>
public sealed record GenerateCandidatesWork(RunId RunId, int StepNumber, int Count, int Attempt = 1) : WorkItem(RunId, StepNumber)
{
    // Attempt 1 keeps the original key shape so keys stored before retries existed still match.
    public override string IdempotencyKey => Attempt == 1
        ? $"generate:{RunId}:{StepNumber}"
        : $"generate:{RunId}:{StepNumber}:a{Attempt}";
}

/// <summary>Ask the model judge to score the step's candidates (again, after a new proposal).</summary>
public sealed record JudgeCandidatesWork(RunId RunId, int StepNumber, int CandidateCount) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"judge:{RunId}:{StepNumber}:{CandidateCount}";
}

/// <summary>Post or re-render the step message in the run's thread.</summary>
public sealed record RenderStepWork(RunId RunId, int StepNumber, long Revision) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"render:{RunId}:{StepNumber}:{Revision}";
}

/// <summary>
/// Run the decided bash command in the sandbox. A re-run after an interruption is a new attempt
/// with a new key: the researcher asked for it explicitly.
/// </summary>
public sealed record ExecuteActionWork(RunId RunId, int StepNumber, int CandidateNumber, string Command, int Attempt = 1) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => Attempt == 1
        ? $"execute:{RunId}:{StepNumber}"
        : $"execute:{RunId}:{StepNumber}:a{Attempt}";
}

/// <summary>Start a child run for a delegated sub-task.</summary>
public sealed record StartSubRunWork(RunId RunId, int StepNumber, string Task) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"subrun:{RunId}:{StepNumber}";
}

/// <summary>Tell the parent run that this child run ended.</summary>
public sealed record NotifyParentWork(RunId RunId, int StepNumber, RunId ParentRunId) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"notify-parent:{RunId}";
}

/// <summary>Score the submitted answer and announce the end of the run.</summary>
public sealed record FinishRunWork(RunId RunId, int StepNumber, RunStatus Outcome, string? Reason = null) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"finish:{RunId}";
}

/// <summary>
/// Ask the model "Am I stuck?" about a step on a person's request (the step's Stuck? button).
/// Not part of the state machine: it records a reflection and changes no run state.
/// </summary>
public sealed record StuckCheckWork(RunId RunId, int StepNumber) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"stuck-request:{RunId}:{StepNumber}";
}

/// <summary>
/// Post a gold step again as a calibration step (<paramref name="PostId"/> in calibration_posts).
/// Not part of the state machine: it shows an old step of <paramref name="RunId"/> and changes nothing of that run.
/// </summary>
public sealed record PostCalibrationWork(RunId RunId, int StepNumber, long PostId) : WorkItem(RunId, StepNumber)
{
    public override string IdempotencyKey => $"calibration:{PostId}";
}
