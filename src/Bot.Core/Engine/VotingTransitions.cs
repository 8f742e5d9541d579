using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>Transitions out of Voting: votes, proposals, overrides, deadlines and the judge.</summary>
internal static class VotingTransitions
{
    public static Result<Outcome> CastVote(Transition t, CastVote c, DateTimeOffset now)
    {
        if (t.Step.FindCandidate(c.CandidateNumber) is null)
            return EngineErrors.UnknownCandidate(t.Step.Number, c.CandidateNumber);
        if (RecordVote(t, c.Actor, c.CandidateNumber, now).Error is { } error) return error;
        StepFlow.ApplyConsensus(t, c.Actor, now);
        return t.Build();
    }

    /// <summary>
    /// Adds a proposal (or merges it into the identical candidate) and, with MoveVote, moves the
    /// proposer's vote there. Proposing an action identical to the one you already vote for is not
    /// an error: the merge is recorded for analysis.
    /// </summary>
    public static Result<Outcome> ProposeCandidate(Transition t, ProposeCandidate c, DateTimeOffset now)
    {
        if (CandidateRules.Validate(c.Candidate).Error is { } invalid) return invalid;
        var countBefore = t.Step.Candidates.Count;
        var added = CandidateRules.AddOrMerge(t, c.Candidate, now);
        if (added.Error is { } error) return error;

        if (t.Step.Candidates.Count > countBefore)
            t.Enqueue(new JudgeCandidatesWork(t.RunId, t.Step.Number, t.Step.Candidates.Count));
        if (c.MoveVote && t.Step.VoteOf(c.Actor)?.CandidateNumber != added.Value)
            _ = RecordVote(t, c.Actor, added.Value, now);
        StepFlow.ApplyConsensus(t, c.Actor, now);
        return t.Build();
    }

    public static Result<Outcome> OverrideDecision(Transition t, OverrideDecision c, DateTimeOffset now)
    {
        if (t.Step.FindCandidate(c.CandidateNumber) is null)
            return EngineErrors.UnknownCandidate(t.Step.Number, c.CandidateNumber);
        StepFlow.Decide(t, c.CandidateNumber, DecisionMethod.ResearcherOverride, c.Actor, now);
        return t.Build();
    }

    public static Result<Outcome> DeadlinePassed(Transition t, DeadlinePassed c, DateTimeOffset now)
    {
        if (t.Step.Deadline is not { } deadline) return EngineErrors.NoDeadline(t.Step.Number);
        if (now < deadline) return EngineErrors.DeadlineNotReached(t.Step.Number, deadline);
        StepFlow.ApplyConsensus(t, c.Actor, now);
        return t.Build();
    }

    public static Result<Outcome> SetDeadline(Transition t, SetDeadline c, DateTimeOffset now)
    {
        if (c.Deadline <= now) return EngineErrors.DeadlineInPast(c.Deadline, now);
        StepFlow.SetDeadline(t, c.Deadline);
        return t.Build();
    }

    public static Result<Outcome> JudgeScored(Transition t, JudgeScored c, DateTimeOffset now)
    {
        if (RecordVerdict(t, c.Verdict).Error is { } stale) return stale;
        // The verdict can settle a tie (TieRule.ModelJudge) or a deadline that already passed.
        if (!t.Suspended)
            StepFlow.ApplyConsensus(t, c.Actor, now);
        return t.Build();
    }

    /// <summary>
    /// Stores the judge's verdict, hidden from voters. A verdict scoring fewer candidates than the
    /// stored one was computed before a later proposal and is refused so it cannot replace it.
    /// </summary>
    public static Result RecordVerdict(Transition t, JudgeVerdict verdict)
    {
        if (t.Step.Judge is { } stored && verdict.Scores.Count < stored.Scores.Count)
            return EngineErrors.StaleVerdict(t.Step.Number, verdict.Scores.Count, stored.Scores.Count);
        t.UpdateStep(s => s with { Judge = verdict });
        t.Emit(new JudgeRecorded(t.Step.Number, verdict));
        return Result.Ok();
    }

    private static Result RecordVote(Transition t, ActorId voter, int candidate, DateTimeOffset now)
    {
        var previous = t.Step.VoteOf(voter);
        if (previous?.CandidateNumber == candidate)
            return EngineErrors.VoteUnchanged(t.Step.Number, candidate);
        var vote = new Vote(voter, candidate, now);
        t.UpdateStep(s => s with { Votes = [.. s.Votes.Where(v => v.Voter != voter), vote] });
        t.Emit(new VoteRecorded(t.Step.Number, vote, previous?.CandidateNumber));
        t.Render();
        return Result.Ok();
    }
}
