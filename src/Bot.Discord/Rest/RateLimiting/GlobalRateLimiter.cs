namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Discord's per-bot global cap (50 requests per second), plus the pause a global 429 imposes.
/// Each request occupies a slot from when it is sent until one second after its response arrived:
/// Discord counted it at some instant in between, so however latency shifts arrival times, no
/// one-second window on Discord's side can see more than the cap. Interaction routes never come here.
/// </summary>
internal sealed class GlobalRateLimiter(int perSecond, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly List<GlobalSlot> _slots = [];
    private TaskCompletionSource _released = NewSignal();
    private DateTimeOffset _pausedUntil;

    public async Task<GlobalSlot> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            Task released;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                _slots.RemoveAll(s => s.ExpiresAt <= now);
                released = _released.Task;
                if (_pausedUntil > now)
                {
                    wait = _pausedUntil - now;
                }
                else if (_slots.Count < perSecond)
                {
                    var slot = new GlobalSlot(this);
                    _slots.Add(slot);
                    return slot;
                }
                else
                {
                    var next = _slots.Min(s => s.ExpiresAt);
                    // All slots in flight: wait for a response (or a second, whichever comes first).
                    wait = next == DateTimeOffset.MaxValue ? Window : next - now;
                }
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cts.Token);
            await Task.WhenAny(delay, released).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
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

    internal void Finish(GlobalSlot slot)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            slot.ExpiresAt = time.GetUtcNow() + Window;
            signal = _released;
            _released = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One request's place under the global cap; finished when its response (or failure) arrives.</summary>
internal sealed class GlobalSlot(GlobalRateLimiter owner)
{
    private int _finished;

    public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MaxValue;

    public void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            owner.Finish(this);
        }
    }
}
