namespace Bot.Core.Domain;

/// <summary>Where a run is in its life. Terminal: Completed, Failed, Aborted.</summary>
public enum RunStatus
{
    GeneratingCandidates,
    Voting,
    Executing,
    WaitingOnSubRun,
    Paused,
    ExecutionInterrupted,
    Completed,
    Failed,
    Aborted,
}

public static class RunStatusExtensions
{
    /// <summary>Completed, Failed and Aborted: the run accepts no more commands.</summary>
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Failed or RunStatus.Aborted;

    /// <summary>Not terminal and not paused: the run can make progress.</summary>
    public static bool IsActive(this RunStatus status) =>
        !status.IsTerminal() && status != RunStatus.Paused;
}

/// <summary>
/// How a step's action is chosen. Vote: humans only (the judge's pick is recorded, hidden).
/// Hybrid: humans vote, and at the deadline the judge breaks what the votes could not.
/// Auto: the model judge picks at once, no vote.
/// </summary>
public enum RunMode { Vote, Hybrid, Auto }

/// <summary>
/// How a branch relates to the run it came from: a researcher's fork (<c>/run fork</c>) or an
/// automatic restart of a stuck run. A branch is a top-level run of its own (scored, outside the
/// delegation limits, never answering anyone), unlike a sub-run, which answers its parent.
/// </summary>
public enum BranchKind { Fork, Restart }

/// <summary>The three actions an agent can take.</summary>
public enum CandidateKind { Bash, Delegate, Submit }

/// <summary>Who proposed a candidate.</summary>
public enum CandidateSource { Model, Contractor, Researcher }

/// <summary>How a step's decision was reached.</summary>
public enum DecisionMethod { Consensus, DeadlinePlurality, ModelJudge, ResearcherOverride }

/// <summary>What the deadline does when consensus was not reached.</summary>
public enum DeadlineFallback
{
    /// <summary>Plurality if any votes were cast, else the model judge, else extend (the default).</summary>
    PluralityThenJudgeThenExtend,
    /// <summary>Plurality if any votes, else extend the deadline.</summary>
    PluralityThenExtend,
    /// <summary>Always extend the deadline (humans must decide).</summary>
    Extend,
}

/// <summary>How a tie among the leaders is broken when the policy must decide.</summary>
public enum TieRule
{
    /// <summary>Ask the model judge to choose among the tied candidates; extend if it has no score.</summary>
    ModelJudge,
    /// <summary>The tied candidate proposed first wins.</summary>
    EarliestCandidate,
    /// <summary>Do not decide; extend the deadline.</summary>
    Extend,
}
