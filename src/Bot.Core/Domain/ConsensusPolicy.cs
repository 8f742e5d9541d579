namespace Bot.Core.Domain;

/// <summary>
/// Per-run rules for when a step's vote is decided.
/// </summary>
/// <param name="Quorum">Minimum number of votes cast before consensus can be reached (at least 1).</param>
/// <param name="Threshold">The leader's share of votes cast must be strictly greater than this (0.5 = majority).</param>
/// <param name="VotingWindow">Time from the step opening for voting to its deadline; null = no deadline.</param>
/// <param name="Fallback">What happens at the deadline without consensus.</param>
/// <param name="Ties">How ties are broken when the deadline forces a decision.</param>
/// <param name="Blind">Tallies hidden from voters until the step is decided.</param>
public sealed record ConsensusPolicy(
    int Quorum = 2,
    double Threshold = 0.5,
    TimeSpan? VotingWindow = null,
    DeadlineFallback Fallback = DeadlineFallback.PluralityThenJudgeThenExtend,
    TieRule Ties = TieRule.ModelJudge,
    bool Blind = true)
{
    public static ConsensusPolicy Default { get; } = new(VotingWindow: TimeSpan.FromMinutes(30));

    /// <summary>
    /// The default rules of a mode: in vote mode the judge never decides (plurality at the
    /// deadline, else extend; ties go to the earliest candidate); hybrid and auto let the judge
    /// break deadlines and ties.
    /// </summary>
    public static ConsensusPolicy DefaultFor(RunMode mode) => mode == RunMode.Vote
        ? Default with { Fallback = DeadlineFallback.PluralityThenExtend, Ties = TieRule.EarliestCandidate }
        : Default;
}
