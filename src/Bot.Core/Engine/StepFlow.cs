using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>The moves shared by several transitions: deciding a step, moving on, ending the run.</summary>
internal static class StepFlow
{
    /// <summary>Opens voting (Vote/Hybrid) or asks the judge to decide (Auto) once a step has candidates.</summary>
    public static void StartDeciding(Transition t, DateTimeOffset now)
    {
        t.Enqueue(new JudgeCandidatesWork(t.RunId, t.Step.Number, t.Step.Candidates.Count));
        t.Render();
        if (t.Settings.Mode == RunMode.Auto)
            return; // stays GeneratingCandidates until JudgeScored: nobody votes in Auto mode
        t.SetStatus(RunStatus.Voting);
        if (!t.Suspended && t.Settings.Policy.VotingWindow is { } window)
            SetDeadline(t, now + window);
    }

    public static void SetDeadline(Transition t, DateTimeOffset deadline)
    {
        t.UpdateStep(s => s with { Deadline = deadline });
        t.Emit(new DeadlineSet(t.Step.Number, deadline));
        t.Render();
    }

    /// <summary>Applies what the consensus policy says after votes, proposals, verdicts or the deadline.</summary>
    public static void ApplyConsensus(Transition t, ActorId actor, DateTimeOffset now)
    {
        switch (Consensus.Evaluate(t.Settings.Policy, t.Step, now, t.Settings.Mode))
        {
            case ConsensusResult.Decided d:
                Decide(t, d.CandidateNumber, d.Method, actor, now);
                break;
            case ConsensusResult.Extend e:
                SetDeadline(t, e.NewDeadline);
                break;
            case ConsensusResult.Pending:
                break;
        }
    }

    /// <summary>Records the decision and starts acting on it according to the candidate's kind.</summary>
    public static void Decide(Transition t, int candidateNumber, DecisionMethod method, ActorId by, DateTimeOffset now)
    {
        var candidate = t.Step.FindCandidate(candidateNumber)
            ?? throw new InvalidOperationException($"Decided on missing candidate #{candidateNumber} of step {t.Step.Number}.");
        var decision = new Decision(candidateNumber, method, by, now);
        t.UpdateStep(s => s with { Decision = decision });
        t.Emit(new StepDecided(t.Step.Number, decision));
        t.Render();

        switch (candidate.Kind)
        {
            case CandidateKind.Bash:
                t.SetStatus(RunStatus.Executing);
                t.Enqueue(ExecuteWork(t));
                break;
            case CandidateKind.Delegate:
                t.SetStatus(RunStatus.WaitingOnSubRun);
                t.Enqueue(new StartSubRunWork(t.RunId, t.Step.Number, candidate.Text));
                break;
            case CandidateKind.Submit:
                Finish(t, RunStatus.Completed, candidate.Text);
                break;
            default:
                throw new InvalidOperationException($"Unknown candidate kind {candidate.Kind}.");
        }
    }

    public static ExecuteActionWork ExecuteWork(Transition t)
    {
        var step = t.Step;
        var decided = step.Decision ?? throw new InvalidOperationException($"Step {step.Number} executes without a decision.");
        var candidate = step.FindCandidate(decided.CandidateNumber)
            ?? throw new InvalidOperationException($"Step {step.Number} decided on missing candidate #{decided.CandidateNumber}.");
        return new ExecuteActionWork(t.RunId, step.Number, candidate.Number, candidate.Text, step.ExecutionAttempt);
    }

    public static StartSubRunWork SubRunWork(Transition t)
    {
        var step = t.Step;
        var decided = step.Decision ?? throw new InvalidOperationException($"Step {step.Number} delegates without a decision.");
        var candidate = step.FindCandidate(decided.CandidateNumber)
            ?? throw new InvalidOperationException($"Step {step.Number} decided on missing candidate #{decided.CandidateNumber}.");
        return new StartSubRunWork(t.RunId, step.Number, candidate.Text);
    }

    /// <summary>Records the step's observation, then opens the next step, or fails the run at the step limit.</summary>
    public static void Advance(Transition t, Observation observation, DateTimeOffset now)
    {
        var finished = t.Step.Number;
        t.Emit(new ObservationRecorded(finished, observation));
        if (finished >= t.Settings.MaxSteps)
        {
            t.Emit(new StepLimitReached(t.Settings.MaxSteps));
            Finish(t, RunStatus.Failed, answer: null, $"It reached its step limit ({t.Settings.MaxSteps} steps) without submitting an answer.");
            return;
        }

        var next = StepState.Open(finished + 1, now);
        t.ReplaceStep(next);
        t.Emit(new StepOpened(next.Number));
        t.SetStatus(RunStatus.GeneratingCandidates);
        t.Enqueue(new GenerateCandidatesWork(t.RunId, next.Number, t.Settings.CandidatesPerStep, next.GenerationAttempt));
    }

    /// <summary>Ends the run: announce it, and tell the parent when this is a sub-run.</summary>
    public static void Finish(Transition t, RunStatus outcome, string? answer, string? reason = null)
    {
        t.SetStatus(outcome);
        t.SetState(t.State with { PausedFrom = null });
        t.Emit(new RunFinished(outcome, answer, reason));
        var step = t.State.Step?.Number ?? 0;
        t.Enqueue(new FinishRunWork(t.RunId, step, outcome, reason));
        if (t.State.ParentRunId is { } parent)
            t.Enqueue(new NotifyParentWork(t.RunId, step, parent));
    }
}
