using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>
/// Pause, resume and abort. A paused run refuses human commands, but results of work that was
/// already in flight (generation, judge, execution, sub-run) are still recorded: refusing them
/// would lose a model call or make a worker run a command twice. Work those results would start
/// is held back; <see cref="Resume"/> enqueues what the run is waiting on, with the same
/// idempotency keys, so work that was already enqueued is not duplicated by a store that
/// inserts work with ON CONFLICT (idempotency key) DO NOTHING.
/// </summary>
internal static class ControlTransitions
{
    public static Result<Outcome> Pause(Transition t, DateTimeOffset now)
    {
        var from = t.State.Status;
        t.SetStatus(RunStatus.Paused);
        t.SetState(t.State with { PausedFrom = from });
        // Paused time must not count against voters; Resume sets a fresh deadline.
        if (from == RunStatus.Voting && t.Step.Deadline is not null)
        {
            t.UpdateStep(s => s with { Deadline = null });
            t.Emit(new DeadlineCleared(t.Step.Number));
        }
        if (t.Step.Candidates.Count > 0) t.Render();
        return t.Build();
    }

    public static Result<Outcome> Resume(Transition t, ActorId actor, DateTimeOffset now)
    {
        var to = t.State.PausedFrom
            ?? throw new InvalidOperationException($"Run {t.RunId} is paused without PausedFrom.");
        t.SetStatus(to);
        t.SetState(t.State with { PausedFrom = null });
        var step = t.Step;
        if (step.Candidates.Count > 0) t.Render();

        switch (to)
        {
            case RunStatus.GeneratingCandidates when step.Candidates.Count == 0:
                if (step.GenerationFailure is null)
                    t.Enqueue(new GenerateCandidatesWork(t.RunId, step.Number, t.Settings.CandidatesPerStep, step.GenerationAttempt));
                else
                    t.Render();
                break;
            case RunStatus.GeneratingCandidates:
                // Auto mode: a verdict that arrived while paused decides now.
                if (step.Judge is null)
                    t.Enqueue(new JudgeCandidatesWork(t.RunId, step.Number, step.Candidates.Count));
                else if (Consensus.JudgePick(step, step.Candidates.Select(c => c.Number)) is { } pick)
                    StepFlow.Decide(t, pick, DecisionMethod.ModelJudge, ActorId.Model(step.Judge.Model), now);
                break;
            case RunStatus.Voting:
                if (t.Settings.Policy.VotingWindow is { } window)
                    StepFlow.SetDeadline(t, now + window);
                if (step.Judge is null || step.Judge.Scores.Count < step.Candidates.Count)
                    t.Enqueue(new JudgeCandidatesWork(t.RunId, step.Number, step.Candidates.Count));
                break;
            case RunStatus.Executing:
            case RunStatus.WaitingOnSubRun:
            case RunStatus.ExecutionInterrupted:
                // Their work was enqueued before the pause (a paused run decides nothing), so
                // nothing is re-sent: a second ExecuteActionWork must never be produced here.
                break;
            default:
                throw new InvalidOperationException($"Run {t.RunId} was paused from {to}, which cannot be paused.");
        }
        return t.Build();
    }

    public static Result<Outcome> Abort(Transition t, AbortRun c)
    {
        t.Emit(new RunAborted(c.Reason));
        StepFlow.Finish(t, RunStatus.Aborted, answer: null, c.Reason);
        return t.Build();
    }

    /// <summary>The task's time limit passed: the run fails, paused or not, whatever it was doing.</summary>
    public static Result<Outcome> TimeLimitReached(Transition t)
    {
        if (t.Settings.TimeLimit is not { } limit) return EngineErrors.NoTimeLimit();
        t.Emit(new TimeLimitPassed(limit));
        StepFlow.Finish(t, RunStatus.Failed, answer: null, $"It reached its time limit ({limit.TotalMinutes:0.#} minutes) without submitting an answer.");
        return t.Build();
    }

    /// <summary>Applies a work result to a paused run as if it were in PausedFrom, then holds the run paused.</summary>
    public static Result<Outcome> ApplyWhilePaused(
        RunState state, RunCommand command, DateTimeOffset now,
        Func<Transition, RunCommand, DateTimeOffset, Result<Outcome>> dispatch)
    {
        var from = state.PausedFrom
            ?? throw new InvalidOperationException($"Run {state.RunId} is paused without PausedFrom.");
        var inner = dispatch(new Transition(state with { Status = from, PausedFrom = null }) { Suspended = true }, command, now);
        if (inner.Error is { } error) return error;

        var outcome = inner.Value;
        var events = outcome.Events.Where(e => e is not RunStatusChanged).ToList();
        var reached = outcome.State.Status;
        if (reached.IsTerminal())
        {
            // A run can end while paused (the step limit): that ends it for good.
            events.Insert(0, new RunStatusChanged(RunStatus.Paused, reached));
            return outcome with { Events = events };
        }
        return new Outcome(outcome.State with { Status = RunStatus.Paused, PausedFrom = reached }, events, []);
    }
}
