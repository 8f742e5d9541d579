using Bot.Core.Engine;
using Bot.Core.Ports;

namespace Bot.Data.Json;

/// <summary>
/// The names stored for work kinds (<c>work_items.kind</c>), events (<c>run_events.type</c>),
/// commands (<c>run_events.type</c> as <c>command:…</c>, <c>interactions_seen.command_type</c>) and
/// model-call purposes (<c>model_calls.purpose</c>).
/// Written out by hand so that renaming a record never orphans stored rows; the values are the
/// names rows were stored under before this table existed, so no rows needed rewriting. A test
/// checks that every concrete work item, event and command has exactly one name here.
/// </summary>
public static class StoredNames
{
    public static IReadOnlyDictionary<Type, string> WorkKinds { get; } = new Dictionary<Type, string>
    {
        [typeof(GenerateCandidatesWork)] = "GenerateCandidates",
        [typeof(JudgeCandidatesWork)] = "JudgeCandidates",
        [typeof(RenderStepWork)] = "RenderStep",
        [typeof(ExecuteActionWork)] = Work.ExecuteAction,
        [typeof(StartSubRunWork)] = "StartSubRun",
        [typeof(NotifyParentWork)] = "NotifyParent",
        [typeof(FinishRunWork)] = "FinishRun",
        [typeof(StuckCheckWork)] = "StuckCheck",
        [typeof(PostCalibrationWork)] = "PostCalibration",
    };

    public static IReadOnlyDictionary<Type, string> Events { get; } = new Dictionary<Type, string>
    {
        [typeof(RunStatusChanged)] = "RunStatusChanged",
        [typeof(StepOpened)] = "StepOpened",
        [typeof(CandidateAdded)] = "CandidateAdded",
        [typeof(VoteRecorded)] = "VoteRecorded",
        [typeof(JudgeRecorded)] = "JudgeRecorded",
        [typeof(DeadlineSet)] = "DeadlineSet",
        [typeof(StepDecided)] = "StepDecided",
        [typeof(ObservationRecorded)] = "ObservationRecorded",
        [typeof(GenerationFailedRecorded)] = "GenerationFailedRecorded",
        [typeof(RunFinished)] = "RunFinished",
        [typeof(RunStarted)] = "RunStarted",
        [typeof(CandidateMerged)] = "CandidateMerged",
        [typeof(DeadlineCleared)] = "DeadlineCleared",
        [typeof(GenerationRetried)] = "GenerationRetried",
        [typeof(ExecutionRestarted)] = "ExecutionRestarted",
        [typeof(StepLimitReached)] = "StepLimitReached",
        [typeof(TimeLimitPassed)] = "TimeLimitPassed",
        [typeof(RunAborted)] = "RunAborted",
    };

    public static IReadOnlyDictionary<Type, string> Commands { get; } = new Dictionary<Type, string>
    {
        [typeof(CandidatesGenerated)] = "CandidatesGenerated",
        [typeof(GenerationFailed)] = "GenerationFailed",
        [typeof(RetryGeneration)] = "RetryGeneration",
        [typeof(JudgeScored)] = "JudgeScored",
        [typeof(CastVote)] = "CastVote",
        [typeof(ProposeCandidate)] = "ProposeCandidate",
        [typeof(OverrideDecision)] = "OverrideDecision",
        [typeof(DeadlinePassed)] = "DeadlinePassed",
        [typeof(SetDeadline)] = "SetDeadline",
        [typeof(ExecutionFinished)] = "ExecutionFinished",
        [typeof(ExecutionInterrupted)] = "ExecutionInterrupted",
        [typeof(RerunInterrupted)] = "RerunInterrupted",
        [typeof(SkipInterrupted)] = "SkipInterrupted",
        [typeof(SubRunFinished)] = "SubRunFinished",
        [typeof(PauseRun)] = "PauseRun",
        [typeof(ResumeRun)] = "ResumeRun",
        [typeof(AbortRun)] = "AbortRun",
        [typeof(TimeLimitReached)] = "TimeLimitReached",
    };

    /// <summary>The values model calls were stored under before this table existed, unchanged.</summary>
    public static IReadOnlyDictionary<ModelCallPurpose, string> Purposes { get; } = new Dictionary<ModelCallPurpose, string>
    {
        [ModelCallPurpose.Candidates] = "candidates",
        [ModelCallPurpose.Judge] = "judge",
        [ModelCallPurpose.StuckCheck] = "stuck_check",
    };

    /// <summary>What <c>interactions_seen.command_type</c> holds for a run start.</summary>
    public const string StartRun = "StartRun";

    public static string Of(RunEvent e) => Events[e.GetType()];

    public static string Of(RunCommand c) => Commands[c.GetType()];

    public static string Of(ModelCallPurpose purpose) => Purposes[purpose];

    /// <summary>Work kind names, as constants where SQL needs them.</summary>
    public static class Work
    {
        public const string ExecuteAction = "ExecuteAction";
    }
}

/// <summary>Work kinds as stored in <c>work_items.kind</c>, from <see cref="StoredNames.WorkKinds"/>.</summary>
public static class WorkKinds
{
    private static readonly Dictionary<string, Type> ByKind = StoredNames.WorkKinds.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public const string ExecuteAction = StoredNames.Work.ExecuteAction;

    /// <summary>
    /// Work that may be done twice without harm, so its completion need not be flushed to disk
    /// before the worker moves on: a render shows the step as it is now (an edit to the same
    /// content, and a first post is kept single by its nonce).
    /// </summary>
    public static bool IsRedoable(string kind) => kind == StoredNames.WorkKinds[typeof(RenderStepWork)];

    public static string Of(Type workType) =>
        StoredNames.WorkKinds.TryGetValue(workType, out var kind)
            ? kind
            : throw new InvalidOperationException($"{workType.Name} has no stored work kind; add it to StoredNames.WorkKinds.");

    public static Type? TypeOf(string kind) => ByKind.GetValueOrDefault(kind);

    public static WorkItem Deserialize(string kind, string payload) =>
        (WorkItem)DataJson.Deserialize(payload, TypeOf(kind) ?? throw new InvalidOperationException($"Unknown work kind '{kind}'"));
}
