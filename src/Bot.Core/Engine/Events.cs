using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>What happened, as accepted by the engine. Appended to <c>run_events</c> for audit.</summary>
public abstract record RunEvent;

public sealed record RunStatusChanged(RunStatus From, RunStatus To) : RunEvent;
public sealed record StepOpened(int StepNumber) : RunEvent;
public sealed record CandidateAdded(int StepNumber, Candidate Candidate) : RunEvent;
public sealed record VoteRecorded(int StepNumber, Vote Vote, int? PreviousCandidate) : RunEvent;
public sealed record JudgeRecorded(int StepNumber, JudgeVerdict Verdict) : RunEvent;
public sealed record DeadlineSet(int StepNumber, DateTimeOffset Deadline) : RunEvent;
public sealed record StepDecided(int StepNumber, Decision Decision) : RunEvent;
public sealed record ObservationRecorded(int StepNumber, Observation Observation) : RunEvent;
public sealed record GenerationFailedRecorded(int StepNumber, string Reason) : RunEvent;
/// <param name="Reason">Why a run ended without an answer (step or time limit, abort); null otherwise.</param>
public sealed record RunFinished(RunStatus Outcome, string? Answer, string? Reason = null) : RunEvent;
public sealed record RunStarted(RunSettings Settings, RunId? ParentRunId) : RunEvent;
/// <summary>A proposal identical to an existing candidate (same kind, same trimmed text); kept for analysis.</summary>
public sealed record CandidateMerged(int StepNumber, int CandidateNumber, ActorId ProposedBy, CandidateSource Source) : RunEvent;
/// <summary>The deadline was suspended (the run was paused while voting); resuming sets a fresh one.</summary>
public sealed record DeadlineCleared(int StepNumber) : RunEvent;
public sealed record GenerationRetried(int StepNumber, int Attempt) : RunEvent;
public sealed record ExecutionRestarted(int StepNumber, int Attempt) : RunEvent;
public sealed record StepLimitReached(int MaxSteps) : RunEvent;
public sealed record TimeLimitPassed(TimeSpan TimeLimit) : RunEvent;
public sealed record RunAborted(string? Reason) : RunEvent;
