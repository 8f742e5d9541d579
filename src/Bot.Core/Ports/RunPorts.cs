using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Core.Ports;

/// <summary>What a handled command left behind; enough for a chat adapter to answer and re-render.</summary>
/// <param name="Duplicate">The interaction id had been handled before; nothing was changed this time.</param>
/// <param name="Decided">The decision this command made, when it decided a step (a vote reaching quorum, say).</param>
/// <param name="Vote">The vote the command recorded, if any, with the voter's candidate before it (null for a first vote).</param>
public sealed record CommandReceipt(RunId RunId, RunStatus Status, int? StepNumber, long Revision, bool Duplicate = false, Decision? Decided = null,
    VoteRecorded? Vote = null);

/// <summary>Everything needed to create a run (a new task, a sub-run or a branch).</summary>
/// <param name="Parent">Set for a sub-run: the run and step that delegated to it, which it answers.</param>
/// <param name="Branch">Set for a fork or restart: the step it branches from (it keeps the history before it).</param>
/// <param name="Tags">The task's tags, stored with the run for analysis.</param>
public sealed record StartRunRequest(
    string TaskName,
    string TaskText,
    string Model,
    RunSettings Settings,
    ActorId StartedBy,
    SubRunOf? Parent = null,
    BranchOf? Branch = null,
    string? InteractionId = null,
    IReadOnlyList<string>? Tags = null);

/// <summary>The step of <paramref name="Run"/> whose delegation a sub-run answers.</summary>
public sealed record SubRunOf(RunId Run, int Step);

/// <summary>The step a fork or restart branches from.</summary>
public sealed record BranchOf(StepId Step, BranchKind Kind);

/// <summary>
/// The one way into the engine: every command, from a click, a deadline, a worker or recovery, is
/// run here in one transaction (lock, decide, store, enqueue work).
/// </summary>
public interface IRunCommands
{
    /// <summary>
    /// Handles <paramref name="command"/> once per <paramref name="interactionId"/>: a re-delivered
    /// interaction returns a receipt with <see cref="CommandReceipt.Duplicate"/> and changes nothing.
    /// Engine refusals come back as their <see cref="EngineErrors"/> error.
    /// </summary>
    Task<Result<CommandReceipt>> HandleAsync(RunId runId, RunCommand command, string? interactionId = null, CancellationToken cancellationToken = default);

    /// <summary>Creates the run and its first step; the same <see cref="StartRunRequest.InteractionId"/> returns the same run.</summary>
    Task<Result<RunId>> StartRunAsync(StartRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores a researcher's hint for the agent; the next prompt of the run includes it.</summary>
    Task<Result> NudgeAsync(RunId runId, ActorId author, string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// The run's state as the engine would decide on it now (read without a lock, so a command may
    /// change it next): for callers that build a command from it, e.g. a sub-run or restart inheriting
    /// the run's settings, or a child answering the step its parent is at.
    /// </summary>
    Task<Result<RunState>> LoadStateAsync(RunId runId, CancellationToken cancellationToken = default);
}

/// <summary>A step as a chat message shows it.</summary>
/// <param name="Decided">The step has a decision (its buttons are disabled).</param>
/// <param name="LastObservation">What the previous step's action returned (the input of this step).</param>
/// <param name="Observation">What this step's own action returned, once executed.</param>
/// <param name="SubRuns">Child runs started by this step's delegation.</param>
/// <param name="Thread">Where the run lives in the chat, once the adapter has opened it.</param>
/// <param name="Message">The step's own chat message, once posted.</param>
public sealed record StepView(
    RunId RunId,
    StepId StepId,
    int Number,
    RunStatus RunStatus,
    string TaskName,
    RunMode Mode,
    ConsensusPolicy Policy,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<Candidate> Candidates,
    IReadOnlyList<Vote> Votes,
    JudgeVerdict? Judge,
    Decision? Decision,
    Observation? LastObservation,
    Observation? Observation,
    string? GenerationFailure,
    long Revision,
    bool IsCurrent,
    ChatRef? Thread,
    ChatRef? Message,
    IReadOnlyList<RunLink> SubRuns)
{
    public bool Decided => Decision is not null;
    public bool OpenForVotes => IsCurrent && !Decided && RunStatus == RunStatus.Voting;
    public Vote? VoteOf(ActorId voter) => Votes.FirstOrDefault(v => v.Voter == voter);
    public Candidate? FindCandidate(int number) => Candidates.FirstOrDefault(c => c.Number == number);
}

/// <summary>A run named from another run's message (sub-run or parent).</summary>
public sealed record RunLink(RunId RunId, string TaskName, RunStatus Status, ChatRef? Thread);

/// <summary>
/// Where a step lives and what it belongs to, without its content: enough to check a click against
/// (its thread and message) and to send the engine a command for it.
/// </summary>
public sealed record StepPlace(StepId StepId, RunId RunId, int Number, ChatRef? Thread, ChatRef? Message);

public interface IStepReader
{
    /// <summary>One row, for the click path: the engine checks the rest when the command runs.</summary>
    Task<Result<StepPlace>> GetPlaceAsync(StepId stepId, CancellationToken cancellationToken = default);

    Task<Result<StepView>> GetStepAsync(StepId stepId, CancellationToken cancellationToken = default);

    Task<Result<StepView>> GetStepAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default);
}

/// <summary>One run as lists and trees show it.</summary>
/// <param name="ParentRunId">Set for sub-runs only.</param>
/// <param name="BranchedFromRun">Set for forks and restarts: the run they branch from (at <paramref name="ForkedFromStep"/>).</param>
public sealed record RunSummary(
    RunId RunId,
    RunId? ParentRunId,
    StepId? ForkedFromStep,
    RunId? BranchedFromRun,
    BranchKind? Branch,
    string TaskName,
    string TaskText,
    string Model,
    RunMode Mode,
    RunStatus Status,
    int? CurrentStep,
    int StepCount,
    ChatRef? Thread,
    ActorId CreatedBy,
    DateTimeOffset CreatedAt,
    RunSettings Settings,
    string? Answer);

/// <summary>A run and, below it, its sub-runs and forks.</summary>
public sealed record RunTreeNode(RunSummary Run, IReadOnlyList<RunTreeNode> Children);

public interface IRunDirectory
{
    Task<Result<RunSummary>> GetRunAsync(RunId runId, CancellationToken cancellationToken = default);

    /// <summary>The run whose chat thread is <paramref name="thread"/>, if any.</summary>
    Task<RunSummary?> FindByThreadAsync(ChatRef thread, CancellationToken cancellationToken = default);

    /// <summary>Newest first; <paramref name="search"/> filters on the task name or the run id.</summary>
    Task<IReadOnlyList<RunSummary>> ListRunsAsync(bool activeOnly, string? search = null, int limit = 25, CancellationToken cancellationToken = default);
}

/// <summary>Runs with their lineage: sub-runs below their parent, forks and restarts below their origin.</summary>
public interface IRunTreeReader
{
    /// <summary>The tree of the run's root (parents and origins are followed up first).</summary>
    Task<Result<RunTreeNode>> GetTreeAsync(RunId runId, CancellationToken cancellationToken = default);
}

/// <summary>Ratings, tags and comments. Re-sending the same value is not stored twice; a changed one is.</summary>
public interface IFeedbackStore
{
    /// <returns>True when stored, false when it equals the rater's current rating.</returns>
    Task<Result<bool>> RateAsync(StepId stepId, int candidateNumber, ActorId rater, int value, CancellationToken cancellationToken = default);

    /// <summary>Replaces the actor's tag set on the step; an unchanged set stores nothing.</summary>
    Task<Result<bool>> TagAsync(StepId stepId, IReadOnlyList<string> tags, ActorId actor, CancellationToken cancellationToken = default);

    Task<Result<bool>> CommentAsync(StepId stepId, ActorId author, string text, CancellationToken cancellationToken = default);

    /// <summary>The actor's current ratings on the step, by candidate number.</summary>
    Task<IReadOnlyDictionary<int, int>> RatingsOfAsync(StepId stepId, ActorId rater, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> TagsOfAsync(StepId stepId, ActorId actor, CancellationToken cancellationToken = default);

    /// <summary>Asks for the model's "Am I stuck?" reflection on the step (once per step).</summary>
    Task<Result<bool>> RequestStuckCheckAsync(StepId stepId, ActorId requestedBy, CancellationToken cancellationToken = default);
}

/// <summary>A participant's figures: how often their vote matched the decision.</summary>
public sealed record ParticipantStats(ActorId Actor, int StepsVoted, int VotesMatchingDecision, int DecidedStepsVoted, int Proposals, int ProposalsChosen, int Ratings, int Tags)
{
    public double? Agreement => DecidedStepsVoted == 0 ? null : (double)VotesMatchingDecision / DecidedStepsVoted;
}

/// <summary>Activity over a period, for researchers.</summary>
public sealed record ActivitySummary(DateTimeOffset Since, int RunsStarted, int RunsCompleted, int RunsFailed, int StepsDecided, int Votes, int Voters, int Proposals, int Ratings, int Tags);

public interface IStatsReader
{
    Task<ParticipantStats> GetParticipantStatsAsync(ActorId actor, CancellationToken cancellationToken = default);

    Task<ActivitySummary> GetSummaryAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>Where a run and its steps live in the chat; written before anything relies on them.</summary>
public interface IChatRefs
{
    /// <summary>Links the run to its thread; the first link wins and is returned.</summary>
    Task<ChatRef> SetThreadAsync(RunId runId, ChatRef thread, CancellationToken cancellationToken = default);

    /// <summary>Stores the step's message unless one is stored; returns the stored one.</summary>
    Task<ChatRef> SetStepMessageAsync(StepId stepId, ChatRef message, CancellationToken cancellationToken = default);
}

/// <summary>Turns chat references into links a person can open (the chat adapter knows how).</summary>
public interface IChatLinks
{
    /// <summary>A link to <paramref name="message"/> in <paramref name="thread"/>; null when either is unknown or links are not configured.</summary>
    string? MessageLink(ChatRef? thread, ChatRef? message);

    /// <summary>A link to <paramref name="thread"/>; null when it is unknown or links are not configured.</summary>
    string? ThreadLink(ChatRef? thread);
}

/// <summary>A task researchers can start, as the chat lists it, with the limits its file sets.</summary>
public sealed record TaskInfo(string Name, string Title, string Instructions, int MaxSteps = 30, TimeSpan? TimeLimit = null, IReadOnlyList<string>? Tags = null);

/// <summary>The task catalog (tasks/ folder), read-only.</summary>
public interface ITaskCatalogView
{
    Task<IReadOnlyList<TaskInfo>> ListAsync(CancellationToken cancellationToken = default);

    Task<TaskInfo?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Why <paramref name="name"/> cannot be started (e.g. a METR family task that needs network), or null when unknown.</summary>
    Task<string?> WhyNotAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>A configured model profile (a slash command choice, so at most 25 and names of 1-100 characters).</summary>
public sealed record ModelChoice(string Name, string Model, string? Description = null);

public interface IModelProfiles
{
    IReadOnlyList<ModelChoice> Profiles { get; }
}

/// <summary>Posts the team digest (figures and chart) for a period to the team channel, on demand.</summary>
public interface IDigestPublisher
{
    /// <returns>The posted message.</returns>
    Task<Result<ChatRef>> PublishAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}
