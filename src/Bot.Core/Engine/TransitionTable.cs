using Bot.Core.Results;
using RS = Bot.Core.Domain.RunStatus;

namespace Bot.Core.Engine;

/// <summary>
/// The transition table for the active statuses (terminal and paused runs are handled by
/// <see cref="RunEngine.Decide"/>). Each command lists every active status explicitly, so adding
/// a status fails the build here until every command says what it does in it.
/// </summary>
internal static class TransitionTable
{
#pragma warning disable CS8524 // unnamed enum values are bugs; named ones must all be listed (CS8509 stays an error)
    public static Result<Outcome> Dispatch(Transition t, RunCommand command, DateTimeOffset now)
    {
        var s = t.State.Status;
        var step = t.Step.Number;
        return command switch
        {
            CandidatesGenerated c => s switch
            {
                RS.GeneratingCandidates => GeneratingTransitions.CandidatesGenerated(t, c, now),
                RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.CandidatesAlreadyGenerated(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            GenerationFailed c => s switch
            {
                RS.GeneratingCandidates => GeneratingTransitions.GenerationFailed(t, c),
                RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.NotGenerating(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            RetryGeneration => s switch
            {
                RS.GeneratingCandidates => GeneratingTransitions.RetryGeneration(t),
                RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.NotGenerating(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            JudgeScored c => s switch
            {
                RS.GeneratingCandidates => GeneratingTransitions.JudgeScored(t, c, now),
                RS.Voting => VotingTransitions.JudgeScored(t, c, now),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            CastVote c => s switch
            {
                RS.Voting => VotingTransitions.CastVote(t, c, now),
                RS.GeneratingCandidates => EngineErrors.RunNotVoting(s),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            ProposeCandidate c => s switch
            {
                RS.Voting => VotingTransitions.ProposeCandidate(t, c, now),
                RS.GeneratingCandidates => EngineErrors.RunNotVoting(s),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            OverrideDecision c => s switch
            {
                RS.Voting => VotingTransitions.OverrideDecision(t, c, now),
                RS.GeneratingCandidates => GeneratingTransitions.OverrideDecision(t, c, now),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            DeadlinePassed c => s switch
            {
                RS.Voting => VotingTransitions.DeadlinePassed(t, c, now),
                RS.GeneratingCandidates => EngineErrors.RunNotVoting(s),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            SetDeadline c => s switch
            {
                RS.Voting => VotingTransitions.SetDeadline(t, c, now),
                RS.GeneratingCandidates => EngineErrors.RunNotVoting(s),
                RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.StepDecided(step),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            ExecutionFinished c => s switch
            {
                RS.Executing => ExecutionTransitions.ExecutionFinished(t, c, now),
                RS.GeneratingCandidates or RS.Voting or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.NotExecuting(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            ExecutionInterrupted => s switch
            {
                RS.Executing => ExecutionTransitions.ExecutionInterrupted(t),
                RS.GeneratingCandidates or RS.Voting or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.NotExecuting(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            RerunInterrupted => s switch
            {
                RS.ExecutionInterrupted => ExecutionTransitions.RerunInterrupted(t),
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun => EngineErrors.NotInterrupted(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            SkipInterrupted c => s switch
            {
                RS.ExecutionInterrupted => ExecutionTransitions.SkipInterrupted(t, c, now),
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun => EngineErrors.NotInterrupted(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            SubRunFinished c => s switch
            {
                RS.WaitingOnSubRun => ExecutionTransitions.SubRunFinished(t, c, now),
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.ExecutionInterrupted => EngineErrors.NotWaitingOnSubRun(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            PauseRun => s switch
            {
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => ControlTransitions.Pause(t, now),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            ResumeRun => s switch
            {
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => EngineErrors.RunNotPaused(s),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            AbortRun c => s switch
            {
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => ControlTransitions.Abort(t, c),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            TimeLimitReached => s switch
            {
                RS.GeneratingCandidates or RS.Voting or RS.Executing or RS.WaitingOnSubRun or RS.ExecutionInterrupted => ControlTransitions.TimeLimitReached(t),
                RS.Paused or RS.Completed or RS.Failed or RS.Aborted => NotActive(s),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command."),
        };
    }
#pragma warning restore CS8524

    // RunEngine.Decide answers terminal and paused runs before dispatching here.
    private static Result<Outcome> NotActive(RS status) =>
        throw new InvalidOperationException($"The active transition table was asked about a {status} run.");
}
