using System.Text;
using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

/// <summary>Votes and proposals through the engine: what is recorded, what is refused, and when a step is decided.</summary>
public class VotingTests
{
    [Fact]
    public void A_changed_vote_replaces_the_old_one()
    {
        var outcome = Voting().Then(new CastVote(Alice, 1, 1)).Apply(new CastVote(Alice, 1, 2));

        var vote = Assert.Single(outcome.State.Step!.Votes);
        Assert.Equal(2, vote.CandidateNumber);
        Assert.Contains(outcome.Events, e => e is VoteRecorded { PreviousCandidate: 1, Vote.CandidateNumber: 2 });
    }

    [Fact]
    public void A_changed_vote_counts_only_once_towards_consensus()
    {
        // Alice moves 1 -> 2, Bob votes 1: one vote each, so no majority.
        var state = Voting().Then(new CastVote(Alice, 1, 1)).Then(new CastVote(Alice, 1, 2)).Then(new CastVote(Bob, 1, 1));
        Assert.Equal(RunStatus.Voting, state.Status);
        Assert.Equal([new Tally(1, 1), new Tally(2, 1), new Tally(3, 0)], Consensus.Tallies(state.Step!));
    }

    [Fact]
    public void Voting_again_for_the_same_candidate_is_the_named_error_vote_unchanged()
    {
        var state = Voting().Then(new CastVote(Alice, 1, 1));
        Assert.Equal(EngineErrors.VoteUnchangedCode, state.Try(new CastVote(Alice, 1, 1)).Code());
    }

    [Fact]
    public void A_vote_for_a_missing_candidate_is_refused()
    {
        Assert.Equal(EngineErrors.UnknownCandidateCode, Voting().Try(new CastVote(Alice, 1, 9)).Code());
    }

    [Fact]
    public void A_late_vote_after_the_decision_is_refused_as_step_decided()
    {
        var state = Voting().Then(new CastVote(Alice, 1, 1)).Then(new CastVote(Bob, 1, 1));
        Assert.Equal(RunStatus.Executing, state.Status);
        Assert.Equal(EngineErrors.StepDecidedCode, state.Try(new CastVote(Carol, 1, 2)).Code());
    }

    [Fact]
    public void A_vote_on_an_earlier_step_is_stale_and_a_future_step_is_unknown()
    {
        var state = Voting().Then(new OverrideDecision(Researcher, 1, 1))
            .Then(new ExecutionFinished(ActorId.System, 1, new Observation("ok")))
            .Then(new CandidatesGenerated(ModelActor, 2, [Bash("ls")]));
        Assert.Equal(EngineErrors.StaleStepCode, state.Try(new CastVote(Alice, 1, 1)).Code());
        Assert.Equal(EngineErrors.UnknownStepCode, state.Try(new CastVote(Alice, 3, 1)).Code());
        Assert.True(state.Try(new CastVote(Alice, 2, 1)).IsSuccess);
    }

    [Fact]
    public void A_candidate_proposed_after_voting_began_can_win()
    {
        var state = Voting().Then(new CastVote(Alice, 1, 1))
            .Then(new ProposeCandidate(Bob, 1, Bash("cat README", Bob, CandidateSource.Contractor)));
        Assert.Equal(4, state.Step!.FindCandidate(4)!.Number);
        Assert.Equal(4, state.Step.VoteOf(Bob)!.CandidateNumber);

        // Bob (by proposing) and Carol make two of three votes for #4.
        var outcome = state.Apply(new CastVote(Carol, 1, 4));

        Assert.Equal(RunStatus.Executing, outcome.State.Status);
        Assert.Equal(4, outcome.State.Step!.Decision!.CandidateNumber);
        Assert.Equal("cat README", Assert.Single(outcome.Work.OfType<ExecuteActionWork>()).Command);
    }

    [Fact]
    public void A_proposal_asks_the_judge_to_score_the_new_candidate_set()
    {
        var outcome = Voting().Apply(new ProposeCandidate(Bob, 1, Bash("df -h", Bob, CandidateSource.Contractor)));
        Assert.Contains(outcome.Work, w => w is JudgeCandidatesWork { CandidateCount: 4 });
    }

    [Fact]
    public void Proposing_an_existing_action_merges_into_it_and_moves_the_vote_there()
    {
        var state = Voting().Then(new CastVote(Alice, 1, 1));
        var outcome = state.Apply(new ProposeCandidate(Alice, 1, Bash("  pwd \n", Alice, CandidateSource.Contractor)));

        Assert.Equal(3, outcome.State.Step!.Candidates.Count);
        Assert.Contains(outcome.Events, e => e is CandidateMerged { CandidateNumber: 2 });
        Assert.Equal(2, outcome.State.Step.VoteOf(Alice)!.CandidateNumber);
        Assert.DoesNotContain(outcome.Work, w => w is JudgeCandidatesWork);
    }

    [Fact]
    public void The_same_text_with_another_kind_is_a_different_candidate()
    {
        var outcome = Voting().Apply(new ProposeCandidate(Alice, 1, new NewCandidate(CandidateKind.Submit, "ls", null, CandidateSource.Contractor, Alice)));
        Assert.Contains(outcome.Events, e => e is CandidateAdded { Candidate.Number: 4 });
    }

    [Fact]
    public void A_proposal_without_move_vote_leaves_the_vote_alone()
    {
        var outcome = Voting().Then(new CastVote(Alice, 1, 1))
            .Apply(new ProposeCandidate(Alice, 1, Bash("uname -a", Alice, CandidateSource.Contractor), MoveVote: false));
        Assert.Equal(1, outcome.State.Step!.VoteOf(Alice)!.CandidateNumber);
        Assert.DoesNotContain(outcome.Events, e => e is VoteRecorded);
    }

    [Fact]
    public void Candidate_numbers_keep_growing_and_are_never_reused()
    {
        var state = Voting()
            .Then(new ProposeCandidate(Alice, 1, Bash("a", Alice), MoveVote: false))
            .Then(new ProposeCandidate(Bob, 1, Bash("a", Bob), MoveVote: false))
            .Then(new ProposeCandidate(Bob, 1, Bash("b", Bob), MoveVote: false));
        Assert.Equal([1, 2, 3, 4, 5], state.Step!.Candidates.Select(c => c.Number));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t")]
    public void An_empty_proposal_is_refused(string text)
    {
        Assert.Equal(EngineErrors.EmptyCandidateCode, Voting().Try(new ProposeCandidate(Alice, 1, Bash(text, Alice))).Code());
    }

    [Fact]
    public void A_proposal_over_16_KB_of_UTF8_is_refused_and_one_at_the_limit_is_accepted()
    {
        var atLimit = new string('a', Limits.MaxCandidateBytes);
        var overByMultibyte = new string('a', Limits.MaxCandidateBytes - 1) + "é"; // 16 383 chars, 16 385 bytes
        Assert.Equal(Limits.MaxCandidateBytes + 1, Encoding.UTF8.GetByteCount(overByMultibyte));

        Assert.True(Voting().Try(new ProposeCandidate(Alice, 1, Bash(atLimit, Alice))).IsSuccess);
        var result = Voting().Try(new ProposeCandidate(Alice, 1, Bash(overByMultibyte, Alice)));
        Assert.Equal(EngineErrors.CandidateTooLongCode, result.Code());
    }

    [Fact]
    public void A_step_holds_at_most_the_candidate_limit()
    {
        var state = Voting();
        for (var i = state.Step!.Candidates.Count; i < Limits.MaxCandidatesPerStep; i++)
            state = state.Then(new ProposeCandidate(Alice, 1, Bash($"echo {i}", Alice), MoveVote: false));

        Assert.Equal(Limits.MaxCandidatesPerStep, state.Step!.Candidates.Count);
        Assert.Equal(EngineErrors.TooManyCandidatesCode, state.Try(new ProposeCandidate(Alice, 1, Bash("one more", Alice))).Code());
        // A duplicate of an existing action is still fine: it adds nothing.
        Assert.True(state.Try(new ProposeCandidate(Alice, 1, Bash("ls", Alice))).IsSuccess);
    }

    [Fact]
    public void A_researcher_override_decides_at_once_even_before_any_vote()
    {
        var outcome = Voting().Apply(new OverrideDecision(Researcher, 1, 2));
        Assert.Equal(new Decision(2, DecisionMethod.ResearcherOverride, Researcher, T0.AddMinutes(1)), outcome.State.Step!.Decision);
        Assert.Equal(RunStatus.Executing, outcome.State.Status);
    }

    [Fact]
    public void A_researcher_override_beats_a_running_vote()
    {
        var outcome = Voting().Then(new CastVote(Alice, 1, 1)).Apply(new OverrideDecision(Researcher, 1, 3));
        Assert.Equal(RunStatus.Completed, outcome.State.Status);
        Assert.Equal(DecisionMethod.ResearcherOverride, outcome.State.Step!.Decision!.Method);
    }

    [Fact]
    public void Each_visible_change_raises_the_revision_and_renders_once()
    {
        var state = Voting();
        var revision = state.Step!.Revision;
        var outcome = state.Apply(new CastVote(Alice, 1, 1));

        var render = Assert.Single(outcome.Work.OfType<RenderStepWork>());
        Assert.Equal(revision + 1, render.Revision);
        Assert.Equal(render.Revision, outcome.State.Step!.Revision);

        // A decision in the same command (vote + consensus + decision) still renders once.
        var decided = outcome.State.Apply(new CastVote(Bob, 1, 1));
        Assert.Equal(revision + 2, Assert.Single(decided.Work.OfType<RenderStepWork>()).Revision);
    }
}
