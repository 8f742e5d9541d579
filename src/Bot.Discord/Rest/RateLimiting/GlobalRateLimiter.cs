namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Discord's per-bot global cap (50 requests per second) as a sliding one-second log, plus the
/// pause a global 429 imposes. Interaction routes never come here.
/// </summary>
internal sealed class GlobalRateLimiter(int perSecond, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _sent = new();
    private DateTimeOffset _pausedUntil;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                while (_sent.Count > 0 && now - _sent.Peek() >= Window)
                {
                    _sent.Dequeue();
                }
                if (_pausedUntil > now)
                {
                    wait = _pausedUntil - now;
                }
                else if (_sent.Count < perSecond)
                {
                    _sent.Enqueue(now);
                    return;
                }
                else
                {
                    wait = _sent.Peek() + Window - now;
                }
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Pause(TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var until = time.GetUtcNow() + retryAfter;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }
}
