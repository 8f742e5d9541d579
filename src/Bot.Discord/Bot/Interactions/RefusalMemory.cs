namespace Bot.Discord.Bot.Interactions;

/// <summary>
/// Remembers whom the bot has already refused on which step, so an outsider replying again and
/// again to a step message gets one answer instead of one each time (the bot would otherwise
/// help them spam the thread). Bounded: past <see cref="Capacity"/> the oldest entries are
/// forgotten, so memory stays flat; the worst case after that is one more polite refusal.
/// In memory per process, which is enough for its purpose.
/// </summary>
public sealed class RefusalMemory(int capacity = RefusalMemory.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private readonly Lock _gate = new();
    private readonly HashSet<(ulong User, long Step)> _seen = [];
    private readonly Queue<(ulong User, long Step)> _order = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count
    {
        get
        {
            lock (_gate) return _seen.Count;
        }
    }

    /// <summary>Refusals not repeated so far (diagnostics, tests).</summary>
    public int Suppressed
    {
        get
        {
            lock (_gate) return _suppressed;
        }
    }

    private int _suppressed;

    /// <summary>True the first time for this user and step (answer them), false afterwards (stay quiet).</summary>
    public bool FirstTime(ulong userId, long stepId)
    {
        lock (_gate)
        {
            if (!_seen.Add((userId, stepId)))
            {
                _suppressed++;
                return false;
            }
            _order.Enqueue((userId, stepId));
            while (_order.Count > Capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }
}
