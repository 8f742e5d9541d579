using Microsoft.Extensions.Logging;

namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Counts 401/403/429 responses over 10 minutes: Discord bans the IP for a while past 10,000, so we
/// warn well before that.
/// </summary>
internal sealed class InvalidRequestCounter(int warningThreshold, TimeProvider time, ILogger logger)
{
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
            "Discord invalid requests (401/403/429) reached {Count} in the last 10 minutes (latest {Status}); Discord bans the IP temporarily at 10000",
            count, status);
    }

    private void Trim(DateTimeOffset now)
    {
        while (_log.Count > 0 && now - _log.Peek() >= Window)
        {
            _log.Dequeue();
        }
    }
}
