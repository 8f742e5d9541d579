using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

/// <summary>The pure policy: quorum, threshold, deadline fallbacks and tie rules on hand-built steps.</summary>
public class ConsensusTests
{
    private static readonly DateTimeOffset Deadline = T0.AddMinutes(30);
    private static readonly DateTimeOffset Before = T0.AddMinutes(5);
    private static readonly DateTimeOffset After = T0.AddMinutes(31);

    private static StepState Step(int candidates, params (ActorId Voter, int Candidate)[] votes) =>
        StepState.Open(1, T0) with
        {
            Deadline = Deadline,
            Candidates = Enumerable.Range(1, candidates)
                .Select(n => new Candidate(n, CandidateKind.Bash, $"cmd{n}", null, CandidateSource.Model, ModelActor, T0))
                .ToArray(),
            Votes = votes.Select(v => new Vote(v.Voter, v.Candidate, T0)).ToArray(),
        };

    private static ConsensusPolicy Policy(int quorum = 2, double threshold = 0.5,
        DeadlineFallback fallback = DeadlineFallback.PluralityThenJudgeThenExtend, TieRule ties = TieRule.ModelJudge) =>
        new(quorum, threshold, TimeSpan.FromMinutes(30), fallback, ties);

    private static JudgeVerdict Judge(params (int Candidate, int Score)[] scores) =>
        new(scores.Select(s => new JudgeScore(s.Candidate, s.Score, "r")).ToArray(), "judge");

    [Fact]
    public void Majority_after_quorum_is_consensus()
    {
        var result = Consensus.Evaluate(Policy(), Step(3, (Alice, 2), (Bob, 2), (Carol, 1)), Before);
        Assert.Equal(new ConsensusResult.Decided(2, DecisionMethod.Consensus), result);
    }

    [Fact]
    public void Unanimous_votes_below_quorum_do_not_decide()
    {
        var result = Consensus.Evaluate(Policy(quorum: 3), Step(3, (Alice, 2), (Bob, 2)), Before);
        Assert.Equal(new ConsensusResult.Pending(Consensus.QuorumNotMet), result);
    }

    [Fact]
    public void A_share_of_exactly_one_half_is_not_enough()
    {
        var result = Consensus.Evaluate(Policy(), Step(3, (Alice, 1), (Bob, 1), (Carol, 2), (Dave, 3)), Before);
        Assert.Equal(new ConsensusResult.Pending(Consensus.ThresholdNotMet), result);
    }

    [Fact]
    public void A_two_way_tie_before_the_deadline_waits()
    {
        var result = Consensus.Evaluate(Policy(), Step(2, (Alice, 1), (Bob, 2)), Before);
        Assert.IsType<ConsensusResult.Pending>(result);
    }

    [Fact]
    public void Leaders_tied_above_a_low_threshold_are_broken_by_the_earliest_rule()
    {
        var policy = Policy(quorum: 2, threshold: 0.3, ties: TieRule.EarliestCandidate);
        var result = Consensus.Evaluate(policy, Step(3, (Alice, 3), (Bob, 2)), Before);
        Assert.Equal(new ConsensusResult.Decided(2, DecisionMethod.Consensus), result);
    }

    [Fact]
    public void At_the_deadline_a_plurality_decides()
    {
        var policy = Policy(threshold: 0.7);
        var result = Consensus.Evaluate(policy, Step(3, (Alice, 1), (Bob, 1), (Carol, 3)), After);
        Assert.Equal(new ConsensusResult.Decided(1, DecisionMethod.DeadlinePlurality), result);
    }

    [Fact]
    public void In_hybrid_mode_a_tie_at_the_deadline_goes_to_the_judges_favourite_among_the_tied()
    {
        // The judge likes candidate 3 best, but only 1 and 2 are tied: it must choose between those.
        var step = Step(3, (Alice, 1), (Bob, 2)) with { Judge = Judge((1, 4), (2, 6), (3, 9)) };
        var result = Consensus.Evaluate(Policy(), step, After, RunMode.Hybrid);
        Assert.Equal(new ConsensusResult.Decided(2, DecisionMethod.ModelJudge), result);
    }

    [Fact]
    public void In_vote_mode_a_tie_at_the_deadline_is_not_broken_by_the_judge_even_when_the_tie_rule_names_it()
    {
        var step = Step(3, (Alice, 1), (Bob, 2)) with { Judge = Judge((1, 4), (2, 6), (3, 9)) };
        var result = Consensus.Evaluate(Policy(ties: TieRule.ModelJudge), step, After, RunMode.Vote);
        Assert.Equal(new ConsensusResult.Extend(After.AddMinutes(30)), result);
    }

    [Fact]
    public void At_the_deadline_a_tie_without_a_verdict_extends()
    {
        var result = Consensus.Evaluate(Policy(), Step(2, (Alice, 1), (Bob, 2)), After);
        Assert.Equal(new ConsensusResult.Extend(After.AddMinutes(30)), result);
    }

    [Theory]
    [InlineData(TieRule.EarliestCandidate, 1)]
    [InlineData(TieRule.Extend, null)]
    public void At_the_deadline_the_tie_rule_applies(TieRule rule, int? winner)
    {
        var step = Step(2, (Alice, 2), (Bob, 1)) with { Judge = Judge((1, 1), (2, 9)) };
        var result = Consensus.Evaluate(Policy(ties: rule), step, After);
        if (winner is null) Assert.IsType<ConsensusResult.Extend>(result);
        else Assert.Equal(new ConsensusResult.Decided(winner.Value, DecisionMethod.DeadlinePlurality), result);
    }

    [Fact]
    public void In_hybrid_mode_at_the_deadline_with_no_votes_the_judge_picks()
    {
        var step = Step(3) with { Judge = Judge((1, 2), (2, 8), (3, 5)) };
        var result = Consensus.Evaluate(Policy(), step, After, RunMode.Hybrid);
        Assert.Equal(new ConsensusResult.Decided(2, DecisionMethod.ModelJudge), result);
    }

    [Fact]
    public void At_the_deadline_with_no_votes_and_no_verdict_the_deadline_is_extended_by_the_window()
    {
        var result = Consensus.Evaluate(Policy(), Step(3), After);
        Assert.Equal(new ConsensusResult.Extend(After.AddMinutes(30)), result);
    }

    [Theory]
    [InlineData(DeadlineFallback.PluralityThenJudgeThenExtend)]
    [InlineData(DeadlineFallback.PluralityThenExtend)]
    [InlineData(DeadlineFallback.Extend)]
    public void In_vote_mode_the_judge_never_decides_whatever_the_stored_fallback(DeadlineFallback fallback)
    {
        // Runs stored before modes were enforced carry the judge fallback in vote mode too.
        var step = Step(2) with { Judge = Judge((1, 2), (2, 8)) };
        var result = Consensus.Evaluate(Policy(fallback: fallback), step, After, RunMode.Vote);
        Assert.Equal(new ConsensusResult.Extend(After.AddMinutes(30)), result);
    }

    [Theory]
    [InlineData(DeadlineFallback.PluralityThenJudgeThenExtend, true)]
    [InlineData(DeadlineFallback.PluralityThenExtend, false)]
    public void In_hybrid_mode_the_judge_decides_an_unvoted_deadline_when_the_fallback_names_it(DeadlineFallback fallback, bool judgeDecides)
    {
        var step = Step(2) with { Judge = Judge((1, 2), (2, 8)) };
        var result = Consensus.Evaluate(Policy(fallback: fallback), step, After, RunMode.Hybrid);
        if (judgeDecides) Assert.Equal(new ConsensusResult.Decided(2, DecisionMethod.ModelJudge), result);
        else Assert.IsType<ConsensusResult.Extend>(result);
    }

    [Fact]
    public void The_vote_preset_never_names_the_judge_and_the_hybrid_preset_does()
    {
        Assert.Equal((DeadlineFallback.PluralityThenExtend, TieRule.EarliestCandidate),
            (ConsensusPolicy.DefaultFor(RunMode.Vote).Fallback, ConsensusPolicy.DefaultFor(RunMode.Vote).Ties));
        Assert.Equal((DeadlineFallback.PluralityThenJudgeThenExtend, TieRule.ModelJudge),
            (ConsensusPolicy.DefaultFor(RunMode.Hybrid).Fallback, ConsensusPolicy.DefaultFor(RunMode.Hybrid).Ties));
    }

    [Fact]
    public void The_extend_fallback_extends_even_with_a_clear_plurality()
    {
        var result = Consensus.Evaluate(Policy(fallback: DeadlineFallback.Extend), Step(2, (Alice, 1)), After);
        Assert.IsType<ConsensusResult.Extend>(result);
    }

    [Fact]
    public void Consensus_reached_exactly_at_the_deadline_is_consensus_not_plurality()
    {
        var result = Consensus.Evaluate(Policy(), Step(2, (Alice, 1), (Bob, 1)), Deadline);
        Assert.Equal(new ConsensusResult.Decided(1, DecisionMethod.Consensus), result);
    }

    [Fact]
    public void Tallies_are_hidden_in_blind_mode_until_the_step_is_decided()
    {
        var policy = Policy() with { Blind = true };
        var step = Step(2, (Alice, 1));
        Assert.False(Consensus.TalliesVisible(policy, step));
        Assert.True(Consensus.TalliesVisible(policy, step with { Decision = new Decision(1, DecisionMethod.Consensus, Alice, T0) }));
        Assert.True(Consensus.TalliesVisible(policy with { Blind = false }, step));
        Assert.Equal([new Tally(1, 1), new Tally(2, 0)], Consensus.Tallies(step));
    }
}
