using Microsoft.Extensions.Logging;

namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Counts 401/403/429 responses over 10 minutes: Discord bans the IP for a while past 10,000, so we
/// warn well before that, and from the same threshold on hand out request slots no closer than
/// <c>slowdownInterval</c> apart (<see cref="ReserveSlot"/>), which keeps the rest of the window
/// below the ban whatever the bot is doing wrong.
/// </summary>
internal sealed class InvalidRequestCounter(int warningThreshold, TimeProvider time, ILogger logger, TimeSpan slowdownInterval = default)
{
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _log = new();
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Trim(time.GetUtcNow());
                return _log.Count;
            }
        }
    }

    public void Record(int status)
    {
        int count;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            Trim(now);
            _log.Enqueue(now);
            count = _log.Count;
            if (count < warningThreshold || now - _lastWarning < TimeSpan.FromMinutes(1))
            {
                return;
            }
            _lastWarning = now;
        }
        logger.LogWarning(
            "Discord invalid requests (401/403/429) reached {Count} in the last 10 minutes (latest {Status}); Discord bans the IP temporarily at 10000, so requests other than interaction answers now go out at most one per {SlowdownInterval}",
            count, status, slowdownInterval);
    }

    /// <summary>True while the count is at or above the threshold.</summary>
    public bool IsSlowingDown => Count >= warningThreshold;

    /// <summary>
    /// How long a non-essential request must wait before it is sent: zero below the threshold;
    /// above it, the next free slot of one per interval (each call takes a slot).
    /// </summary>
    public TimeSpan ReserveSlot()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            Trim(now);
            if (_log.Count < warningThreshold || slowdownInterval <= TimeSpan.Zero) return TimeSpan.Zero;
            var slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + slowdownInterval;
            return slot - now;
        }
    }

    private void Trim(DateTimeOffset now)
    {
        while (_log.Count > 0 && now - _log.Peek() >= Window)
        {
            _log.Dequeue();
        }
    }
}
