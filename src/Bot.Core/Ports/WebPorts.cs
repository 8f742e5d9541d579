using Bot.Core.Domain;

namespace Bot.Core.Ports;

/// <summary>What a person may see in the web view, fixed when their sign-in link is made.</summary>
public enum WebRole { Contractor, Researcher }

/// <summary>
/// Makes the sign-in links the chat hands out (<c>/web</c>): short-lived, signed, bound to the
/// person and the role they had when they asked. Registered only when the web view is on.
/// </summary>
public interface IWebSignIn
{
    /// <summary>How long a link is accepted after it was made.</summary>
    TimeSpan LinkLifetime { get; }

    Uri CreateLink(ActorId actor, WebRole role);
}

/// <summary>
/// The sign-in links already exchanged for a session, so that each link works once, in every bot
/// process on the database. A link is remembered only until it expires (plus an allowance for
/// clocks that disagree): after that its signature check refuses it anyway.
/// </summary>
public interface ISignInLinkLedger
{
    /// <param name="linkId">The link's random id (from its signed token).</param>
    /// <returns>True the first time a link is redeemed; false when it was redeemed before.</returns>
    Task<bool> TryRedeemAsync(string linkId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}

/// <summary>
/// Addresses of pages, for link buttons in the chat. Registered only when <c>Web:PublicUrl</c> is
/// set: a link to 127.0.0.1 would be useless to anyone but the operator.
/// </summary>
public interface IWebPageLinks
{
    Uri RunPage(RunId runId);

    Uri StepPage(RunId runId, int stepNumber);
}


/// <summary>How the runs list is sorted.</summary>
public enum RunSort { Created, Task, Model, Status, Steps, Score }

/// <summary>
/// A page of the runs list. Text filters match exactly (they come from choices the page offers);
/// <paramref name="Passed"/> filters on the stored score; dates are on the run's creation time.
/// </summary>
public sealed record RunListQuery(
    string? Task = null,
    string? Model = null,
    RunMode? Mode = null,
    RunStatus? Status = null,
    bool? Passed = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    RunSort Sort = RunSort.Created,
    bool Descending = true,
    int Limit = 100)
{
    public const int MaxLimit = 500;
}

/// <summary>A run's stored score: whether the answer passed the task's check, and the check's words.</summary>
public sealed record RunScore(bool Passed, string Detail);

/// <summary>One row of the runs list.</summary>
public sealed record RunListItem(RunSummary Run, RunScore? Score);

/// <summary>The values the runs list can be filtered by (those present in the data).</summary>
public sealed record RunFacets(IReadOnlyList<string> Tasks, IReadOnlyList<string> Models);

/// <summary>The full output of an executed command (the observation is the model's truncated copy).</summary>
public sealed record ExecutionOutput(string Command, string Stdout, string Stderr, int ExitCode, TimeSpan Duration, bool TimedOut, bool OutputTruncated);

/// <summary>A rater's current rating of a candidate (-2..+2).</summary>
public sealed record CandidateRating(int CandidateNumber, ActorId Rater, int Value);

/// <summary>A tag someone put on a step (or on one of its candidates), with their note.</summary>
public sealed record StepTag(string Tag, ActorId Actor);

/// <summary>A researcher's nudge or the model's stuck-check reflection, at a step.</summary>
public sealed record RunIntervention(int? StepNumber, string Kind, string Text, ActorId Actor, DateTimeOffset At);

/// <summary>Everything stored about one step, for the timeline.</summary>
/// <param name="Observation">What this step's action returned.</param>
public sealed record TimelineStep(
    StepId StepId,
    int Number,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<Candidate> Candidates,
    IReadOnlyList<Vote> Votes,
    IReadOnlyList<CandidateRating> Ratings,
    IReadOnlyList<StepTag> Tags,
    JudgeVerdict? Judge,
    Decision? Decision,
    Observation? Observation,
    ExecutionOutput? Execution,
    string? GenerationFailure,
    ChatRef? Message);

/// <summary>A run with every step, in order, read in one go.</summary>
public sealed record RunTimeline(RunSummary Run, RunScore? Score, IReadOnlyList<TimelineStep> Steps, IReadOnlyList<RunIntervention> Interventions, long Version);

/// <summary>How a run hangs below its origin in the tree: the origin's step that delegated or was branched from.</summary>
public sealed record TreeRunDetail(RunId RunId, int? OriginStep, RunScore? Score);

/// <summary>The web view's reads beyond the chat's ports: filtered lists, whole timelines, change detection.</summary>
public interface IRunBrowser
{
    Task<IReadOnlyList<RunListItem>> ListAsync(RunListQuery query, CancellationToken cancellationToken = default);

    Task<RunFacets> GetFacetsAsync(CancellationToken cancellationToken = default);

    /// <returns>Null for an unknown run.</returns>
    Task<RunTimeline?> GetTimelineAsync(RunId runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<RunId, TreeRunDetail>> GetTreeDetailsAsync(IReadOnlyCollection<RunId> runIds, CancellationToken cancellationToken = default);

    /// <summary>A number that changes whenever any run is created or changes status or step (for the runs list).</summary>
    Task<long> GetListVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>A number that changes whenever the run or one of its steps changes; null for an unknown run.</summary>
    Task<(long Version, RunStatus Status)?> GetVersionAsync(RunId runId, CancellationToken cancellationToken = default);
}
