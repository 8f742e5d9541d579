using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>Transitions out of GeneratingCandidates: model results, retries, and Auto mode's judge decision.</summary>
internal static class GeneratingTransitions
{
    public static Result<Outcome> CandidatesGenerated(Transition t, CandidatesGenerated c, DateTimeOffset now)
    {
        var step = t.Step;
        if (step.Candidates.Count > 0) return EngineErrors.CandidatesAlreadyGenerated(step.Number);
        if (c.Candidates.Count == 0) return EngineErrors.NoCandidates(step.Number);
        if (c.Candidates.Count > Limits.MaxModelCandidates) return EngineErrors.TooManyCandidates(step.Number);
        foreach (var candidate in c.Candidates)
        {
            if (CandidateRules.Validate(candidate).Error is { } invalid) return invalid;
        }

        // Models often sample the same command twice; merging keeps one button per distinct action.
        foreach (var candidate in c.Candidates)
        {
            if (CandidateRules.AddOrMerge(t, candidate, now).Error is { } error) return error;
        }
        t.UpdateStep(s => s with { GenerationFailure = null });
        StepFlow.StartDeciding(t, now);
        return t.Build();
    }

    public static Result<Outcome> GenerationFailed(Transition t, GenerationFailed c)
    {
        var step = t.Step;
        if (step.Candidates.Count > 0) return EngineErrors.CandidatesAlreadyGenerated(step.Number);
        t.UpdateStep(s => s with { GenerationFailure = c.Reason });
        t.Emit(new GenerationFailedRecorded(step.Number, c.Reason));
        t.Render();
        return t.Build();
    }

    public static Result<Outcome> RetryGeneration(Transition t)
    {
        var step = t.Step;
        if (step.Candidates.Count > 0) return EngineErrors.CandidatesAlreadyGenerated(step.Number);
        if (step.GenerationFailure is null) return EngineErrors.GenerationInProgress(step.Number);
        var attempt = step.GenerationAttempt + 1;
        t.UpdateStep(s => s with { GenerationAttempt = attempt, GenerationFailure = null });
        t.Emit(new GenerationRetried(step.Number, attempt));
        t.Enqueue(new GenerateCandidatesWork(t.RunId, step.Number, t.Settings.CandidatesPerStep, attempt));
        t.Render();
        return t.Build();
    }

    /// <summary>Only Auto mode has candidates while still generating: the judge's verdict is the decision.</summary>
    public static Result<Outcome> JudgeScored(Transition t, JudgeScored c, DateTimeOffset now)
    {
        var step = t.Step;
        if (step.Candidates.Count == 0) return EngineErrors.NoCandidates(step.Number);
        if (VotingTransitions.RecordVerdict(t, c.Verdict).Error is { } stale) return stale;
        if (t.Suspended) return t.Build();

        var pick = Consensus.JudgePick(t.Step, t.Step.Candidates.Select(x => x.Number));
        if (pick is null) return EngineErrors.JudgeNoPick(step.Number);
        StepFlow.Decide(t, pick.Value, DecisionMethod.ModelJudge, c.Actor, now);
        return t.Build();
    }

    /// <summary>
    /// A researcher may pick a candidate before voting opens (Auto mode while the judge is pending),
    /// but there is nothing to pick while the model is still generating.
    /// </summary>
    public static Result<Outcome> OverrideDecision(Transition t, OverrideDecision c, DateTimeOffset now)
    {
        var step = t.Step;
        if (step.Candidates.Count == 0) return EngineErrors.NoCandidates(step.Number);
        return VotingTransitions.OverrideDecision(t, c, now);
    }
}
