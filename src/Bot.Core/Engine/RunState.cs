using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>Settings fixed when a run starts.</summary>
public sealed record RunSettings(
    RunMode Mode,
    ConsensusPolicy Policy,
    int CandidatesPerStep = 3,
    int MaxSteps = 30);

/// <summary>The open (or last) step of a run as the engine sees it.</summary>
public sealed record StepState(
    int Number,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<Candidate> Candidates,
    IReadOnlyList<Vote> Votes,
    JudgeVerdict? Judge,
    Decision? Decision)
{
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
