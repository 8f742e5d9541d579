using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>
/// Something asks the run to change. Every command carries the actor, for the audit log.
/// Commands that target a step name its number so a stale click cannot act on a newer step.
/// </summary>
public abstract record RunCommand(ActorId Actor);

// Scaffold results
public sealed record CandidatesGenerated(ActorId Actor, int StepNumber, IReadOnlyList<NewCandidate> Candidates) : RunCommand(Actor);
public sealed record GenerationFailed(ActorId Actor, int StepNumber, string Reason) : RunCommand(Actor);
public sealed record RetryGeneration(ActorId Actor, int StepNumber) : RunCommand(Actor);
public sealed record JudgeScored(ActorId Actor, int StepNumber, JudgeVerdict Verdict) : RunCommand(Actor);

// Humans on the step
public sealed record CastVote(ActorId Actor, int StepNumber, int CandidateNumber) : RunCommand(Actor);
public sealed record ProposeCandidate(ActorId Actor, int StepNumber, NewCandidate Candidate, bool MoveVote = true) : RunCommand(Actor);
public sealed record OverrideDecision(ActorId Actor, int StepNumber, int CandidateNumber) : RunCommand(Actor);
public sealed record DeadlinePassed(ActorId Actor, int StepNumber) : RunCommand(Actor);

// Execution
public sealed record ExecutionFinished(ActorId Actor, int StepNumber, Observation Observation) : RunCommand(Actor);
public sealed record ExecutionInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor);
public sealed record RerunInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor);
public sealed record SkipInterrupted(ActorId Actor, int StepNumber) : RunCommand(Actor);
public sealed record SubRunFinished(ActorId Actor, int StepNumber, RunId ChildRunId, RunStatus ChildStatus, string Answer) : RunCommand(Actor);

// Researchers on the run
public sealed record PauseRun(ActorId Actor) : RunCommand(Actor);
public sealed record ResumeRun(ActorId Actor) : RunCommand(Actor);
public sealed record AbortRun(ActorId Actor, string? Reason = null) : RunCommand(Actor);
