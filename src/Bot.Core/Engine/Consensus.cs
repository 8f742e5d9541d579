using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>Votes for one candidate.</summary>
public sealed record Tally(int CandidateNumber, int Votes);

/// <summary>What the consensus policy says about a step right now.</summary>
public abstract record ConsensusResult
{
    private ConsensusResult() { }

    /// <summary>No decision yet; <see cref="Reason"/> is one of the <c>Consensus.*</c> reason constants.</summary>
    public sealed record Pending(string Reason) : ConsensusResult;

    public sealed record Decided(int CandidateNumber, DecisionMethod Method) : ConsensusResult;

    /// <summary>The deadline passed without a decision the policy allows; voting goes on until <see cref="NewDeadline"/>.</summary>
    public sealed record Extend(DateTimeOffset NewDeadline) : ConsensusResult;
}

/// <summary>
/// The consensus policy as a pure function of the policy, the step and the time.
/// Before the deadline only consensus decides: at least <c>Quorum</c> votes and a leader whose
/// share of votes cast is strictly greater than <c>Threshold</c>. At or after the deadline the
/// <c>Fallback</c> applies: plurality if any votes, else the model judge's pick when the judge may
/// decide, else the deadline is extended by the voting window. Ties among leaders follow <c>Ties</c>.
/// </summary>
public static class Consensus
{
    public const string QuorumNotMet = "quorum_not_met";
    public const string ThresholdNotMet = "threshold_not_met";
    public const string TieUnresolved = "tie_unresolved";

    /// <summary>Used to extend a deadline when the policy has no voting window (a researcher set the deadline).</summary>
    public static readonly TimeSpan DefaultExtension = TimeSpan.FromMinutes(30);

    public static ConsensusResult Evaluate(ConsensusPolicy policy, StepState step, DateTimeOffset now, RunMode mode = RunMode.Vote)
    {
        if (step.Decision is { } done)
            return new ConsensusResult.Decided(done.CandidateNumber, done.Method);

        var cast = step.Votes.Count;
        var leaders = Leaders(step);
        var deadlinePassed = step.Deadline is { } deadline && now >= deadline;

        if (cast >= policy.Quorum && leaders.Count > 0 && leaders[0].Votes > policy.Threshold * cast)
        {
            // With a threshold below one half several leaders can clear it together.
            if (leaders.Count == 1)
                return new ConsensusResult.Decided(leaders[0].CandidateNumber, DecisionMethod.Consensus);
            if (BreakTie(policy, step, leaders, DecisionMethod.Consensus, mode) is { } broken)
                return broken;
            if (!deadlinePassed) return new ConsensusResult.Pending(TieUnresolved);
        }

        if (!deadlinePassed)
            return new ConsensusResult.Pending(cast < policy.Quorum ? QuorumNotMet : ThresholdNotMet);

        var extend = new ConsensusResult.Extend(now + (policy.VotingWindow ?? DefaultExtension));
        if (policy.Fallback == DeadlineFallback.Extend)
            return extend;

        if (leaders.Count == 1)
            return new ConsensusResult.Decided(leaders[0].CandidateNumber, DecisionMethod.DeadlinePlurality);
        if (leaders.Count > 1)
            return BreakTie(policy, step, leaders, DecisionMethod.DeadlinePlurality, mode) ?? (ConsensusResult)extend;

        if (JudgeMayDecide(mode) && policy.Fallback == DeadlineFallback.PluralityThenJudgeThenExtend && JudgePick(step, step.Candidates.Select(c => c.Number)) is { } pick)
            return new ConsensusResult.Decided(pick, DecisionMethod.ModelJudge);
        return extend;
    }

    /// <summary>
    /// Whether the judge may decide a step nobody voted on or break a tie: never in Vote mode
    /// (humans decide, whatever an older stored policy says), always in Hybrid and Auto.
    /// </summary>
    public static bool JudgeMayDecide(RunMode mode) => mode != RunMode.Vote;

    /// <summary>Blind mode hides tallies from voters until the step is decided; researchers' views may ignore this.</summary>
    public static bool TalliesVisible(ConsensusPolicy policy, StepState step) =>
        !policy.Blind || step.Decision is not null;

    /// <summary>Votes per candidate, in candidate order, including candidates with no votes.</summary>
    public static IReadOnlyList<Tally> Tallies(StepState step) =>
        step.Candidates
            .OrderBy(c => c.Number)
            .Select(c => new Tally(c.Number, step.Votes.Count(v => v.CandidateNumber == c.Number)))
            .ToArray();

    /// <summary>The candidates with the most votes (at least one), lowest number first.</summary>
    public static IReadOnlyList<Tally> Leaders(StepState step)
    {
        var tallies = Tallies(step).Where(t => t.Votes > 0).ToArray();
        if (tallies.Length == 0) return [];
        var top = tallies.Max(t => t.Votes);
        return tallies.Where(t => t.Votes == top).ToArray();
    }

    private static ConsensusResult? BreakTie(ConsensusPolicy policy, StepState step, IReadOnlyList<Tally> leaders, DecisionMethod method, RunMode mode) =>
        policy.Ties switch
        {
            TieRule.EarliestCandidate => new ConsensusResult.Decided(leaders.Min(l => l.CandidateNumber), method),
            TieRule.ModelJudge when !JudgeMayDecide(mode) => null,
            TieRule.ModelJudge => JudgePick(step, leaders.Select(l => l.CandidateNumber)) is { } pick
                ? new ConsensusResult.Decided(pick, DecisionMethod.ModelJudge)
                : null,
            TieRule.Extend => null,
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Ties, "Unknown tie rule."),
        };

    /// <summary>The judge's best-scored candidate among <paramref name="among"/> (lowest number on equal scores).</summary>
    public static int? JudgePick(StepState step, IEnumerable<int> among)
    {
        if (step.Judge is null) return null;
        var allowed = among.ToHashSet();
        return step.Judge.Scores
            .Where(s => allowed.Contains(s.CandidateNumber) && step.FindCandidate(s.CandidateNumber) is not null)
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.CandidateNumber)
            .Select(s => (int?)s.CandidateNumber)
            .FirstOrDefault();
    }
}
