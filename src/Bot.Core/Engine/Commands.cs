using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>
/// Something asks the run to change. Every command carries the actor, for the audit log.
/// Commands that target a step name its number so a stale click cannot act on a newer step.
/// </summary>
public abstract record RunCommand(ActorId Actor);

/// <summary>A command aimed at one step; the engine rejects it when that step is not the current one.</summary>
public interface IStepCommand
{
    int StepNumber { get; }
}

// Scaffold results
public sealed record CandidatesGenerated(ActorId Actor, int StepNumber, IReadOnlyList<NewCandidate> Candidates) : RunCommand(Actor), IStepCommand;
public sealed record GenerationFailed(ActorId Actor, int StepNumber, string Reason) : RunCommand(Actor), IStepCommand;
public sealed record RetryGeneration(ActorId Actor, int StepNumber) : RunCommand(Actor), IStepCommand;
public sealed record JudgeScored(ActorId Actor, int StepNumber, JudgeVerdict Verdict) : RunCommand(Actor), IStepCommand;

// Humans on the step
public sealed record CastVote(ActorId Actor, int StepNumber, int CandidateNumber) : RunCommand(Actor), IStepCommand;
public sealed record ProposeCandidate(ActorId Actor, int StepNumber, NewCandidate Candidate, bool MoveVote = true) : RunCommand(Actor), IStepCommand;
public sealed record OverrideDecision(ActorId Actor, int StepNumber, int CandidateNumber) : RunCommand(Actor), IStepCommand;
public sealed record DeadlinePassed(ActorId Actor, int StepNumber) : RunCommand(Actor), IStepCommand;
/// <summary>A researcher moves the step's deadline (it must be in the future).</summary>
public sealed record SetDeadline(ActorId Actor, int StepNumber, DateTimeOffset Deadline) : RunCommand(Actor), IStepCommand;

// Execution
public sealed record ExecutionFinished(ActorId Actor, int StepNumber, Observation Observation) : RunCommand(Actor), IStepCommand;
public sealed record ExecutionInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor), IStepCommand;
public sealed record RerunInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor), IStepCommand;
public sealed record SkipInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor), IStepCommand;
/// <summary>
/// The sub-run a step delegated to has ended. <paramref name="ChildRunId"/> is null when the
/// delegation was refused before any child started (depth or fan-out limit); otherwise it must be
/// the child the step waits for: a fork or another run never answers for it.
/// </summary>
public sealed record SubRunFinished(ActorId Actor, int StepNumber, RunId? ChildRunId, RunStatus ChildStatus, string Answer) : RunCommand(Actor), IStepCommand;

// Researchers on the run
public sealed record PauseRun(ActorId Actor) : RunCommand(Actor);
public sealed record ResumeRun(ActorId Actor) : RunCommand(Actor);
public sealed record AbortRun(ActorId Actor, string? Reason = null) : RunCommand(Actor);

// Limits
/// <summary>The run's time limit (the task's <c>timeLimitMinutes</c>) has passed: it ends as failed.</summary>
public sealed record TimeLimitReached(ActorId Actor) : RunCommand(Actor);
