using System.Collections.Concurrent;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Text;
using Bot.Data.Json;
using Bot.Data.Postgres;

namespace Bot.Data.Stores;

/// <summary>
/// Each run as this process last committed or loaded it, at its version, in the form a load would
/// read it back (<see cref="AsStored"/>). A batch whose runs are all known here decides from these
/// states and sends its writes with a version check in front (<c>lock_runs_at_versions</c>, migration
/// 0011): one round trip instead of a load and then the writes (measured: docs/benchmarks.md,
/// session 7). A run another process changed fails the check; the batch is rolled back and loaded
/// again. A batch that loads still skips the votes known at the run's version: a burst of votes
/// otherwise re-reads every vote on the step for each batch.
/// </summary>
internal sealed class KnownRuns(int capacity = 1024)
{
    private readonly ConcurrentDictionary<RunId, LoadedRun> _runs = new();

    /// <summary>
    /// What is known of these runs now. A batch compares and uses this one copy, so a commit
    /// remembered meanwhile (by a concurrent caller) cannot pair one version with another state.
    /// </summary>
    public Dictionary<RunId, LoadedRun> Of(IEnumerable<RunId> runs)
    {
        var known = new Dictionary<RunId, LoadedRun>();
        foreach (var run in runs)
            if (_runs.TryGetValue(run, out var entry)) known[run] = entry;
        return known;
    }

    /// <summary>
    /// True when a command may be decided from this state without loading it. A run waiting on its
    /// sub-run (or paused while waiting) is loaded: the child's row, which names it, is written
    /// without moving the parent's version.
    /// </summary>
    public static bool CanDecideFrom(LoadedRun run) =>
        run.State.Status != RunStatus.WaitingOnSubRun && run.State.PausedFrom != RunStatus.WaitingOnSubRun;

    /// <summary>Only for a state that is committed at its version; an older version than the one known is ignored.</summary>
    public void Remember(LoadedRun run)
    {
        // A finished run takes no more commands worth deciding from memory; it need not be kept.
        if (run.State.Status.IsTerminal())
        {
            _runs.TryRemove(run.State.RunId, out _);
            return;
        }
        // A crude bound: a process that has seen more runs than this starts over (the next batches load them).
        if (_runs.Count >= capacity && !_runs.ContainsKey(run.State.RunId)) _runs.Clear();
        var state = AsStored(run.State, _runs.GetValueOrDefault(run.State.RunId)?.State);
        var stored = ReferenceEquals(state, run.State) ? run : run with { State = state };
        _runs.AddOrUpdate(run.State.RunId, stored, (_, old) => old.Version > stored.Version ? old : stored);
    }

    /// <summary>After a batch failed: what it saw of these runs may be wrong, so the next batch loads them.</summary>
    public void Forget(IEnumerable<RunId> runs)
    {
        foreach (var run in runs) _runs.TryRemove(run, out _);
    }

    /// <summary>
    /// The state as <see cref="RunStateLoader"/> reads it back after the writer stored it: text made
    /// storable (<see cref="SafeText.ForStorage"/>), times in microseconds, jsonb values through
    /// their JSON, candidates by number, votes in <see cref="Reads.ReadSql.VoteOrder"/> (votes cast
    /// in one batch share a time, so the voter orders them, by code point). Values the engine carried
    /// over from <paramref name="previous"/> (already in stored form) are kept, not converted again.
    /// </summary>
    public static RunState AsStored(RunState state, RunState? previous = null)
    {
        var settings = ReferenceEquals(state.Settings, previous?.Settings) ? state.Settings : ThroughJson(state.Settings);
        if (state.Step is not { } step) return ReferenceEquals(settings, state.Settings) ? state : state with { Settings = settings };
        // Values already in stored form are kept as they are: this runs for every run of every batch.
        var stored = step with
        {
            OpenedAt = StoredTime.Of(step.OpenedAt),
            Deadline = step.Deadline is { } d ? StoredTime.Of(d) : null,
            Candidates = ReferenceEquals(step.Candidates, previous?.Step?.Candidates) ? step.Candidates : InOrder(step.Candidates, (a, b) => a.Number < b.Number, c =>
                SafeText.IsStorable(c.Text) && SafeText.IsStorable(c.Rationale) && StoredTime.IsStored(c.ProposedAt)
                    ? c
                    : c with { Text = SafeText.ForStorage(c.Text), Rationale = SafeText.ForStorageOrNull(c.Rationale), ProposedAt = StoredTime.Of(c.ProposedAt) },
                list => [.. list.OrderBy(c => c.Number)]),
            Votes = InOrder(step.Votes, VoteOrder, v => StoredTime.IsStored(v.CastAt) ? v : v with { CastAt = StoredTime.Of(v.CastAt) },
                list => [.. list.OrderBy(v => v.CastAt).ThenBy(v => v.Voter.Value, StringComparer.Ordinal)]),
            Judge = step.Judge is null || ReferenceEquals(step.Judge, previous?.Step?.Judge) ? step.Judge : ThroughJson(step.Judge),
            Decision = step.Decision is { } decision && !StoredTime.IsStored(decision.DecidedAt) ? decision with { DecidedAt = StoredTime.Of(decision.DecidedAt) } : step.Decision,
            GenerationFailure = SafeText.ForStorageOrNull(step.GenerationFailure),
        };
        // Kept states are retained until the run's next batch: a copy of one already stored would only add to the collector's work.
        if (stored == step) stored = step;
        return ReferenceEquals(settings, state.Settings) && ReferenceEquals(stored, step) ? state : state with { Settings = settings, Step = stored };
    }

    private static bool VoteOrder(Vote a, Vote b) =>
        a.CastAt < b.CastAt || (a.CastAt == b.CastAt && string.CompareOrdinal(a.Voter.Value, b.Voter.Value) < 0);

    /// <summary>The list itself when every item is stored already and in order; otherwise a stored, sorted copy.</summary>
    private static IReadOnlyList<T> InOrder<T>(IReadOnlyList<T> items, Func<T, T, bool> before, Func<T, T> asStored, Func<IEnumerable<T>, IReadOnlyList<T>> sort)
        where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (!ReferenceEquals(asStored(items[i]), items[i]) || (i > 0 && !before(items[i - 1], items[i])))
                return sort(items.Select(asStored));
        }
        return items;
    }

    private static T ThroughJson<T>(T value) => DataJson.Deserialize<T>(DataJson.Serialize(value));
}
