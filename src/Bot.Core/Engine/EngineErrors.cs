using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>
/// Every way the engine refuses a command. Codes are stable snake_case strings that adapters map
/// to user-facing replies; messages say what happened and what to do instead. A refused command
/// changes nothing.
/// </summary>
public static class EngineErrors
{
    public const string RunFinishedCode = "run_finished";
    public const string RunPausedCode = "run_paused";
    public const string RunNotPausedCode = "run_not_paused";
    public const string RunNotVotingCode = "run_not_voting";
    public const string NotGeneratingCode = "not_generating";
    public const string NotExecutingCode = "not_executing";
    public const string NotInterruptedCode = "not_interrupted";
    public const string NotWaitingOnSubRunCode = "not_waiting_on_sub_run";
    public const string StepDecidedCode = "step_decided";
    public const string StaleStepCode = "stale_step";
    public const string UnknownStepCode = "unknown_step";
    public const string UnknownCandidateCode = "unknown_candidate";
    public const string NoCandidatesCode = "no_candidates";
    public const string CandidatesAlreadyGeneratedCode = "candidates_already_generated";
    public const string GenerationInProgressCode = "generation_in_progress";
    public const string EmptyCandidateCode = "empty_candidate";
    public const string CandidateTooLongCode = "candidate_too_long";
    public const string TooManyCandidatesCode = "too_many_candidates";
    public const string VoteUnchangedCode = "vote_unchanged";
    public const string DeadlineInPastCode = "deadline_in_past";
    public const string DeadlineNotReachedCode = "deadline_not_reached";
    public const string NoDeadlineCode = "no_deadline";
    public const string StaleVerdictCode = "stale_verdict";
    public const string JudgeNoPickCode = "judge_no_pick";
    public const string InvalidChildStatusCode = "invalid_child_status";
    public const string InvalidSettingsCode = "invalid_settings";
    public const string NotAwaitedChildCode = "not_awaited_child";
    public const string NoTimeLimitCode = "no_time_limit";

    public static Error RunFinished(RunStatus status) =>
        new(RunFinishedCode, $"This run has already ended ({status}); start a new run instead.");

    public static Error RunPaused() =>
        new(RunPausedCode, "This run is paused; a researcher must resume it first.", IsResumable: true);

    public static Error RunNotPaused(RunStatus status) =>
        new(RunNotPausedCode, $"This run is not paused (it is {status}); there is nothing to resume.");

    public static Error RunNotVoting(RunStatus status) =>
        new(RunNotVotingCode, $"This step is not open for voting (the run is {status}); wait for the candidates to be posted.");

    public static Error NotGenerating(RunStatus status) =>
        new(NotGeneratingCode, $"The run is not generating candidates (it is {status}); this generation result or retry no longer applies.");

    public static Error NotExecuting(RunStatus status) =>
        new(NotExecutingCode, $"No action is executing (the run is {status}); this execution report does not apply.");

    public static Error NotInterrupted(RunStatus status) =>
        new(NotInterruptedCode, $"The run has no interrupted execution (it is {status}); re-run and skip only apply after an interruption.");

    public static Error NotWaitingOnSubRun(RunStatus status) =>
        new(NotWaitingOnSubRunCode, $"The run is not waiting on a sub-run (it is {status}); this sub-run result does not apply.");

    public static Error StepDecided(int step) =>
        new(StepDecidedCode, $"Step {step} has already been decided; votes, proposals and overrides no longer count.");

    public static Error StaleStep(int step, int current) =>
        new(StaleStepCode, $"Step {step} is over; the run is now at step {current}. Use the latest step message.");

    public static Error UnknownStep(int step, int? current) =>
        new(UnknownStepCode, current is { } c
            ? $"Step {step} does not exist yet; the run is at step {c}."
            : $"Step {step} does not exist; the run has no step yet.");

    public static Error UnknownCandidate(int step, int candidate) =>
        new(UnknownCandidateCode, $"Step {step} has no candidate #{candidate}; pick one of the listed candidates.");

    public static Error NoCandidates(int step) =>
        new(NoCandidatesCode, $"Step {step} has no candidates yet; wait for them, or retry generation if it failed.");

    public static Error CandidatesAlreadyGenerated(int step) =>
        new(CandidatesAlreadyGeneratedCode, $"Step {step} already has its generated candidates; a second generation result is ignored.");

    public static Error GenerationInProgress(int step) =>
        new(GenerationInProgressCode, $"Candidate generation for step {step} has not failed; wait for it to finish before retrying.");

    public static Error EmptyCandidate() =>
        new(EmptyCandidateCode, "The proposed action is empty; write a command, task or answer.");

    public static Error CandidateTooLong(int bytes) =>
        new(CandidateTooLongCode, $"The proposed action is {bytes} bytes; the limit is {Limits.MaxCandidateBytes} bytes (UTF-8). Shorten it.");

    public static Error TooManyCandidates(int step) =>
        new(TooManyCandidatesCode, $"Step {step} already has the maximum of {Limits.MaxCandidatesPerStep} candidates; vote for an existing one.");

    public static Error VoteUnchanged(int step, int candidate) =>
        new(VoteUnchangedCode, $"Your vote on step {step} is already for candidate #{candidate}; nothing changed.");

    public static Error DeadlineInPast(DateTimeOffset deadline, DateTimeOffset now) =>
        new(DeadlineInPastCode, $"The deadline {deadline:u} is not in the future (now is {now:u}); choose a later time.");

    public static Error DeadlineNotReached(int step, DateTimeOffset deadline) =>
        new(DeadlineNotReachedCode, $"Step {step}'s deadline is {deadline:u}, which has not passed (it may have been extended).");

    public static Error NoDeadline(int step) =>
        new(NoDeadlineCode, $"Step {step} has no deadline; it is decided by votes or a researcher override.");

    public static Error StaleVerdict(int step, int scored, int stored) =>
        new(StaleVerdictCode, $"This judge verdict for step {step} scores {scored} candidates, fewer than the stored verdict ({stored}); it is out of date.");

    public static Error JudgeNoPick(int step) =>
        new(JudgeNoPickCode, $"The judge's verdict for step {step} does not pick any existing candidate; re-run the judge or override.");

    public static Error NotAwaitedChild(RunId? child, RunId? awaited)
    {
        var who = child is { } c ? $"run {c}" : "a refusal";
        return new(NotAwaitedChildCode, awaited is { } a
            ? $"This step waits for sub-run {a}; {who} cannot answer it."
            : $"This step has not started a sub-run yet; {who} cannot answer it.");
    }

    public static Error NoTimeLimit() =>
        new(NoTimeLimitCode, "This run has no time limit, so it cannot have reached one.");

    public static Error InvalidChildStatus(RunStatus status) =>
        new(InvalidChildStatusCode, $"A sub-run can only report back when it has ended; {status} is not a final status.");

    public static Error InvalidSettings(string detail) =>
        new(InvalidSettingsCode, $"The run settings are invalid: {detail}");
}
