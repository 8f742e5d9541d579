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
public sealed record RunFinished(RunStatus Outcome, string? Answer) : RunEvent;
