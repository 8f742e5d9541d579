using System.Collections.Concurrent;
using Bot.Core.Domain;
using Bot.Core.Engine;

namespace Bot.Data.Stores;

/// <summary>
/// The votes on each run's current step as of a run version, as this process last committed or
/// loaded them. A batch of commands then reads back only the votes of runs whose version moved
/// since (another process, or a command this one did not see), which the load decides under the
/// run's row lock; a vote burst on one step otherwise re-reads every vote on it for each batch
/// (measured: the most expensive statement of the click path, and a quarter of the bot's CPU).
/// Votes are kept in <see cref="Reads.ReadSql.VoteOrder"/>, so a known list and a loaded one are
/// the same list.
/// </summary>
internal sealed class KnownVotes(int capacity = 4096)
{
    public sealed record Entry(long Version, int StepNumber, IReadOnlyList<Vote> Votes);

    private readonly ConcurrentDictionary<RunId, Entry> _entries = new();

    /// <summary>
    /// What is known of these runs now. A load compares and uses this one copy, so a commit
    /// remembered meanwhile (by a concurrent caller) cannot pair one version with other votes.
    /// </summary>
    public Dictionary<RunId, Entry> Of(IEnumerable<RunId> runs)
    {
        var known = new Dictionary<RunId, Entry>();
        foreach (var run in runs)
            if (_entries.TryGetValue(run, out var entry)) known[run] = entry;
        return known;
    }

    /// <summary>Only for a state that is committed at <paramref name="version"/>.</summary>
    public void Remember(RunId run, long version, StepState? step)
    {
        if (step is null)
        {
            _entries.TryRemove(run, out _);
            return;
        }
        // A crude bound: a process that has seen more runs than this starts over (the next batches read their votes).
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[run] = new Entry(version, step.Number, InStoredOrder(step.Votes));
    }

    /// <summary>Cast time, then voter by code point: <see cref="Reads.ReadSql.VoteOrder"/>.</summary>
    public static IReadOnlyList<Vote> InStoredOrder(IReadOnlyList<Vote> votes) =>
        [.. votes.OrderBy(v => v.CastAt).ThenBy(v => v.Voter.Value, StringComparer.Ordinal)];
}
