using Bot.Core.Domain;

namespace Bot.Core.Reporting.Figures;

/// <summary>
/// What a figure covers. <see cref="From"/> inclusive, <see cref="To"/> exclusive, either open;
/// <see cref="Task"/> and <see cref="Model"/> name a top-level run's task and model profile
/// (a sub-run's steps belong to the top-level run that started it).
/// </summary>
public sealed record FigureScope(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Task = null, string? Model = null)
{
    public static readonly FigureScope All = new();
}

/// <summary>How a top-level run ended, as far as the figures are concerned.</summary>
public enum RunOutcome
{
    /// <summary>Not ended yet.</summary>
    Running,
    /// <summary>Completed, and its answer passed the task's scoring (or the task has none).</summary>
    Succeeded,
    /// <summary>Failed or aborted, or completed with an answer that failed scoring.</summary>
    Failed,
}

/// <summary>
/// The raw rows the figures are computed from, loaded once per scope so agreement, contractor
/// quality and the struggle table are computed from the same snapshot (see docs/data.md, "Figures").
/// </summary>
/// <param name="Runs">Top-level runs that ended in the scope, or own a step in it.</param>
/// <param name="Steps">Steps opened in the scope (<see cref="FigureStep.InScope"/>), plus every step of the runs that ended in it.</param>
/// <param name="GoldAnswers">Answers given in the scope on calibration posts of steps that are gold now; never part of <paramref name="Votes"/>.</param>
public sealed record FigureData(
    FigureScope Scope,
    IReadOnlyList<FigureRun> Runs,
    IReadOnlyList<FigureStep> Steps,
    IReadOnlyList<FigureCandidate> Candidates,
    IReadOnlyList<FigureVote> Votes,
    IReadOnlyList<FigureRating> Ratings,
    IReadOnlyList<FigureTagSet> TagSets,
    IReadOnlyList<FigureStuckCheck> StuckChecks,
    IReadOnlyList<FigureGoldAnswer>? GoldAnswers = null)
{
    public IReadOnlyList<FigureGoldAnswer> Gold => GoldAnswers ?? [];
}

/// <summary>A top-level run. <paramref name="Steps"/> counts its own steps (not its sub-runs').</summary>
public sealed record FigureRun(RunId Id, string Task, string Model, RunOutcome Outcome, bool EndedInScope, int Steps);

/// <summary>
/// A step of a top-level run (<paramref name="Root"/>) or of one of its sub-runs (<paramref name="Run"/>).
/// <paramref name="PostedAt"/> is when the step became votable (its first model candidate was stored;
/// the step's opening time when it has none). <paramref name="JudgePick"/> is the judge's best-scored candidate.
/// </summary>
public sealed record FigureStep(
    StepId Id, RunId Root, RunId Run, int Number, bool InScope, DateTimeOffset PostedAt,
    int? Decided, DecisionMethod? Method, int? JudgePick);

public sealed record FigureCandidate(StepId Step, int Number, CandidateSource Source, ActorId Author);

/// <summary>A person's current vote; <paramref name="FirstCastAt"/> is when they first voted on the step.</summary>
public sealed record FigureVote(StepId Step, ActorId Voter, int Candidate, DateTimeOffset FirstCastAt);

/// <summary>A rater's latest rating of a candidate (-2..2).</summary>
public sealed record FigureRating(StepId Step, int Candidate, ActorId Rater, int Value);

/// <summary>A person's latest tag set on a step; empty when they cleared their tags.</summary>
public sealed record FigureTagSet(StepId Step, ActorId Actor, IReadOnlyList<string> Tags);

/// <summary>A stored stuck check of a step and its verdict.</summary>
public sealed record FigureStuckCheck(StepId Step, bool IsStuck);

/// <summary>A person's latest answer on one calibration post, and the gold step's correct candidate as marked now.</summary>
public sealed record FigureGoldAnswer(long Post, StepId Step, ActorId Person, int Candidate, int Correct);
