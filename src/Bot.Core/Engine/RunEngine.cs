using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>What the engine decided: the new state, the events to record and the work to enqueue.</summary>
public sealed record Outcome(RunState State, IReadOnlyList<RunEvent> Events, IReadOnlyList<WorkItem> Work);

/// <summary>
/// The run state machine as a pure function. Every (status, command) pair is either a transition
/// or a named error from <see cref="EngineErrors"/>, never a silent no-op. A refused command
/// changes nothing, so the caller stores nothing.
/// </summary>
/// <remarks>
/// Choices worth knowing when calling it:
/// <list type="bullet">
/// <item>Re-voting for the candidate you already vote for is the error <c>vote_unchanged</c>;
/// callers answering a double click treat it as an idempotent success.</item>
/// <item>Proposing an action identical to an existing candidate (same kind, same trimmed text)
/// emits <see cref="CandidateMerged"/> with the existing number instead of adding one.</item>
/// <item>A researcher override is accepted whenever the step has candidates and is undecided:
/// while voting, and in Auto mode while the judge is pending. During generation proper there is
/// nothing to pick (<c>no_candidates</c>).</item>
/// <item>A vote arriving after the deadline but before <see cref="DeadlinePassed"/> is counted and the
/// deadline rule applies at once.</item>
/// <item>A paused run refuses human commands (<c>run_paused</c>) but records results of work that
/// was already running; see <see cref="ControlTransitions"/>.</item>
/// </list>
/// </remarks>
public static class RunEngine
{
    /// <summary>Opens step 1 and asks the model for its candidates.</summary>
    public static Result<Outcome> Start(RunId runId, RunSettings settings, DateTimeOffset now, RunId? parent = null)
    {
        if (settings.Validate().Error is { } invalid) return invalid;
        var step = StepState.Open(1, now);
        var state = new RunState(runId, RunStatus.GeneratingCandidates, settings, step, ParentRunId: parent);
        return new Outcome(
            state,
            [new RunStarted(settings, parent), new StepOpened(1)],
            [new GenerateCandidatesWork(runId, 1, settings.CandidatesPerStep, step.GenerationAttempt)]);
    }

    public static Result<Outcome> Decide(RunState state, RunCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (state.Status.IsTerminal()) return EngineErrors.RunFinished(state.Status);

        // A click on an old step message must not act on the current step.
        if (command is IStepCommand targeted)
        {
            if (state.Step is not { } step) return EngineErrors.UnknownStep(targeted.StepNumber, null);
            if (targeted.StepNumber < step.Number) return EngineErrors.StaleStep(targeted.StepNumber, step.Number);
            if (targeted.StepNumber > step.Number) return EngineErrors.UnknownStep(targeted.StepNumber, step.Number);
        }
        else if (state.Step is null)
        {
            throw new InvalidOperationException($"Run {state.RunId} has no step; runs are created by RunEngine.Start.");
        }

        if (state.Status == RunStatus.Paused)
            return WhilePaused(state, command, now);
        return TransitionTable.Dispatch(new Transition(state), command, now);
    }

    private static Result<Outcome> WhilePaused(RunState state, RunCommand command, DateTimeOffset now) => command switch
    {
        // Results of work already in flight are recorded; see ControlTransitions.
        CandidatesGenerated or GenerationFailed or JudgeScored or ExecutionFinished or ExecutionInterrupted or SubRunFinished
            => ControlTransitions.ApplyWhilePaused(state, command, now, TransitionTable.Dispatch),
        ResumeRun r => ControlTransitions.Resume(new Transition(state), r.Actor, now),
        AbortRun a => ControlTransitions.Abort(new Transition(state), a),
        TimeLimitReached => ControlTransitions.TimeLimitReached(new Transition(state)),
        PauseRun => EngineErrors.RunPaused(),
        // Human commands wait for the researcher to resume.
        RetryGeneration or CastVote or ProposeCandidate or OverrideDecision or DeadlinePassed or SetDeadline
            or RerunInterrupted or SkipInterrupted => EngineErrors.RunPaused(),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command."),
    };
}
