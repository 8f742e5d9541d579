namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Client-side mirror of one Discord bucket. Until headers arrive only one request is in flight; then
/// <c>Remaining</c> tokens are handed out and refilled at the (conservative) reset time, but only once
/// the previous window's requests have all come back, so a late response can never let a new window
/// be counted twice.
/// </summary>
internal sealed class RateLimitBucket(string key)
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _known;
    private bool _unlimited;
    private int _limit = 1;
    private int _remaining;
    private DateTimeOffset _resetAt;
    private int _inFlight;

    public string Key { get; } = key;

    /// <summary>Set when this bucket was merged into a shared (hash) bucket; waiters re-resolve.</summary>
    public bool Retired { get; private set; }

    public DateTimeOffset LastUsed { get; private set; }

    /// <summary>Takes a token, or says how long to wait (and what to wait on) before trying again.</summary>
    public bool TryAcquire(DateTimeOffset now, TimeSpan unknownResetWait, out TimeSpan wait, out Task changed)
    {
        lock (_gate)
        {
            LastUsed = now;
            changed = _changed.Task;
            wait = TimeSpan.Zero;
            if (Retired)
            {
                return false;
            }
            if (_unlimited)
            {
                _inFlight++;
                return true;
            }
            if (!_known)
            {
                if (_inFlight == 0)
                {
                    _inFlight++;
                    return true;
                }
                wait = unknownResetWait;
                return false;
            }
            if (_remaining <= 0 && now >= _resetAt && _inFlight == 0)
            {
                _remaining = _limit;
            }
            if (_remaining > 0)
            {
                _remaining--;
                _inFlight++;
                return true;
            }
            wait = _resetAt > now ? _resetAt - now : unknownResetWait;
            return false;
        }
    }

    /// <summary>Returns the token of a finished request (any outcome) without touching the counters.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            Signal();
        }
    }

    /// <summary>Applies a response's headers; a response without them marks the route unlimited.</summary>
    public void Update(RateLimitHeaders headers, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!headers.HasBucketInfo)
            {
                _unlimited = !_known;
                Signal();
                return;
            }
            var resetAt = now + headers.ResetAfter!.Value;
            _limit = Math.Max(1, headers.Limit!.Value);
            if (!_known)
            {
                _known = true;
                _unlimited = false;
                _remaining = headers.Remaining!.Value;
                _resetAt = resetAt;
            }
            else
            {
                _remaining = Math.Min(_remaining, headers.Remaining!.Value);
                if (resetAt > _resetAt)
                {
                    _resetAt = resetAt;
                }
            }
            Signal();
        }
    }

    /// <summary>A per-route 429: nothing more until <paramref name="retryAfter"/> has passed.</summary>
    public void Block(TimeSpan retryAfter, DateTimeOffset now)
    {
        lock (_gate)
        {
            _known = true;
            _unlimited = false;
            _remaining = 0;
            var until = now + retryAfter;
            if (until > _resetAt)
            {
                _resetAt = until;
            }
            Signal();
        }
    }

    /// <summary>This provisional bucket was replaced by a shared (hash) bucket; wake waiters so they move.</summary>
    public void Retire()
    {
        lock (_gate)
        {
            Retired = true;
            Signal();
        }
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
