using System.ComponentModel.DataAnnotations;

namespace Bot.Data.Work;

/// <summary>How workers take and retry work items.</summary>
public sealed class WorkQueueOptions
{
    public const string SectionName = "WorkQueue";

    /// <summary>Attempts before an item is marked dead.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Delay before the first retry; doubles with each attempt (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a claim is valid without renewal; the worker renews it while the handler runs.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Fallback poll when no notification arrives (LISTEN/NOTIFY wakes workers at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Items claimed per round trip.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Items performed at the same time by one process.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// Kinds whose transient failures never use up their attempts: they keep retrying (with the
    /// capped backoff) until the outside service answers again. Posting a step message is one:
    /// a Discord outage longer than the attempts must not leave a step that nobody can see.
    /// Permanent errors (not transient) still end such an item dead at once. An array, so that
    /// configuration replaces the default instead of appending to it.
    /// </summary>
    public string[] RetryForeverKinds { get; set; } = ["RenderStep"];

    /// <summary>First wait after a failed database round trip (restart, outage); doubles with jitter up to <see cref="OutageMaxDelay"/>.</summary>
    public TimeSpan OutageInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between attempts while the database is unavailable, so work resumes soon after it is back.</summary>
    public TimeSpan OutageMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>False: this process only enqueues (e.g. a CLI verb); no worker loop runs.</summary>
    public bool Enabled { get; set; } = true;
}
