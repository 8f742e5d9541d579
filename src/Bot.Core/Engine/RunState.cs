using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>Settings fixed when a run starts. <see cref="Validate"/> is checked by <see cref="RunEngine.Start"/>.</summary>
/// <param name="MaxSteps">The run fails when this step ends without an answer (the task's <c>maxSteps</c>).</param>
/// <param name="TimeLimit">The run fails when this much time has passed since it started (the task's <c>timeLimitMinutes</c>); null = none.</param>
public sealed record RunSettings(
    RunMode Mode,
    ConsensusPolicy Policy,
    int CandidatesPerStep = 3,
    int MaxSteps = 30,
    TimeSpan? TimeLimit = null)
{
    public Results.Result Validate()
    {
        if (Policy.Quorum < 1)
            return EngineErrors.InvalidSettings($"Quorum must be at least 1 (got {Policy.Quorum}).");
        if (double.IsNaN(Policy.Threshold) || Policy.Threshold < 0 || Policy.Threshold >= 1)
            return EngineErrors.InvalidSettings($"Threshold must be in [0, 1) because the leader's share must be strictly greater than it (got {Policy.Threshold}).");
        if (Policy.VotingWindow is { } window && window <= TimeSpan.Zero)
            return EngineErrors.InvalidSettings($"Voting window must be positive or unset (got {window}).");
        if (CandidatesPerStep < 1 || CandidatesPerStep > Limits.MaxModelCandidates)
            return EngineErrors.InvalidSettings($"Candidates per step must be between 1 and {Limits.MaxModelCandidates} (got {CandidatesPerStep}).");
        if (MaxSteps < 1)
            return EngineErrors.InvalidSettings($"Max steps must be at least 1 (got {MaxSteps}).");
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            return EngineErrors.InvalidSettings($"The time limit must be positive or unset (got {limit}).");
        return Results.Result.Ok();
    }
}

/// <summary>The open (or last) step of a run as the engine sees it.</summary>
/// <param name="Revision">Increases whenever the step message's content changes; keys RenderStepWork.</param>
/// <param name="GenerationAttempt">1 for the first model call, +1 per RetryGeneration; keys GenerateCandidatesWork.</param>
/// <param name="ExecutionAttempt">1 for the first execution, +1 per RerunInterrupted; keys ExecuteActionWork.</param>
/// <param name="GenerationFailure">Why the last generation attempt failed; null while it is pending or succeeded.</param>
/// <param name="SubRun">The child run this step's delegation started; only its answer is accepted.</param>
public sealed record StepState(
    int Number,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<Candidate> Candidates,
    IReadOnlyList<Vote> Votes,
    JudgeVerdict? Judge,
    Decision? Decision,
    long Revision = 0,
    int GenerationAttempt = 1,
    int ExecutionAttempt = 1,
    string? GenerationFailure = null,
    RunId? SubRun = null)
{
    public Candidate? FindCandidate(int number) => Candidates.FirstOrDefault(c => c.Number == number);
    public Vote? VoteOf(ActorId voter) => Votes.FirstOrDefault(v => v.Voter == voter);
    public int NextCandidateNumber => Candidates.Count == 0 ? 1 : Candidates.Max(c => c.Number) + 1;

    public static StepState Open(int number, DateTimeOffset now) =>
        new(number, now, null, [], [], null, null);
}

/// <summary>
/// Everything <see cref="RunEngine.Decide"/> needs to handle one command for one run. Loaded
/// from PostgreSQL under the run's row lock; written back from the outcome.
/// </summary>
public sealed record RunState(
    RunId RunId,
    RunStatus Status,
    RunSettings Settings,
    StepState? Step,
    RunStatus? PausedFrom = null,
    RunId? ParentRunId = null);
