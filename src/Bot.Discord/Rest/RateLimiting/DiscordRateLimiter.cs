using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Rest.RateLimiting;

/// <summary>
/// Buckets per route + major parameter, remapped to Discord's shared buckets by <c>X-RateLimit-Bucket</c>,
/// and the global cap. Interaction routes have their own buckets (keyed by the interaction) and skip
/// the global cap, so an interaction callback never waits behind another route.
/// </summary>
public sealed class DiscordRateLimiter
{
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _routeToBucket = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RateLimitBucket> _buckets = new(StringComparer.Ordinal);
    private readonly GlobalRateLimiter _global;
    private readonly InvalidRequestCounter _invalid;
    private readonly TimeProvider _time;
    private readonly TimeSpan _unknownResetWait;
    private DateTimeOffset _lastPurge;

    public DiscordRateLimiter(IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordRateLimiter> logger)
    {
        var o = options.Value;
        _time = time;
        _unknownResetWait = o.UnknownResetWait;
        _global = new GlobalRateLimiter(o.GlobalRequestsPerSecond, time);
        _invalid = new InvalidRequestCounter(o.InvalidRequestWarningThreshold, time, logger, o.InvalidRequestSlowdownInterval);
        _lastPurge = time.GetUtcNow();
    }

    /// <summary>Invalid requests (401/403/429) in the last 10 minutes.</summary>
    public int InvalidRequestCount => _invalid.Count;

    /// <summary>True while invalid requests are at or above the threshold and non-essential requests are spaced out.</summary>
    public bool IsSlowingDown => _invalid.IsSlowingDown;

    /// <summary>Waits for a token of the route's bucket, then for the global cap (unless exempt).</summary>
    public async Task<RateLimitLease> AcquireAsync(DiscordRoute route, CancellationToken cancellationToken = default)
    {
        // Near the invalid-request ban everything but interaction answers slows down.
        if (!route.IsInteraction && _invalid.ReserveSlot() is var slow && slow > TimeSpan.Zero)
        {
            await Task.Delay(slow, _time, cancellationToken).ConfigureAwait(false);
        }
        while (true)
        {
            var bucket = Resolve(route);
            if (bucket.TryAcquire(_time.GetUtcNow(), _unknownResetWait, out var wait, out var changed))
            {
                GlobalSlot? slot = null;
                if (!route.IsInteraction)
                {
                    try
                    {
                        slot = await _global.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        bucket.Release();
                        throw;
                    }
                }
                return new RateLimitLease(bucket, slot);
            }
            if (wait > TimeSpan.Zero)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait, _time, cts.Token);
                await Task.WhenAny(changed, delay).ConfigureAwait(false);
                await cts.CancelAsync().ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Records a response: remaps to the shared bucket when told, then applies the headers.</summary>
    public void Complete(DiscordRoute route, RateLimitLease lease, RateLimitHeaders headers)
    {
        lease.Slot?.Finish();
        var now = _time.GetUtcNow();
        var bucket = headers.Bucket is { Length: > 0 } hash ? Remap(route, lease.Bucket, hash) : Resolve(route);
        bucket.Update(headers, now);
        lease.Bucket.Release();
        if (!ReferenceEquals(bucket, lease.Bucket))
        {
            lease.Bucket.Retire();
        }
    }

    /// <summary>Gives the token back without learning anything (network error, timeout).</summary>
    public void Abandon(RateLimitLease lease)
    {
        lease.Slot?.Finish();
        lease.Bucket.Release();
    }

    public void OnRateLimited(DiscordRoute route, RateLimitHeaders headers, TimeSpan retryAfter, bool global)
    {
        if (global && !route.IsInteraction)
        {
            _global.Pause(retryAfter);
        }
        else
        {
            Resolve(route).Block(retryAfter, _time.GetUtcNow());
        }
        if (!string.Equals(headers.Scope, "shared", StringComparison.OrdinalIgnoreCase))
        {
            _invalid.Record(429);
        }
    }

    public void OnInvalidRequest(int status) => _invalid.Record(status);

    private RateLimitBucket Resolve(DiscordRoute route)
    {
        lock (_gate)
        {
            PurgeIdle();
            var key = _routeToBucket.TryGetValue(route.RouteKey, out var mapped) ? mapped : route.RouteKey;
            if (!_buckets.TryGetValue(key, out var bucket) || bucket.Retired)
            {
                bucket = new RateLimitBucket(key);
                _buckets[key] = bucket;
                _routeToBucket[route.RouteKey] = key;
            }
            return bucket;
        }
    }

    private RateLimitBucket Remap(DiscordRoute route, RateLimitBucket current, string hash)
    {
        lock (_gate)
        {
            var key = $"{hash}:{route.MajorParameter}";
            if (!_buckets.TryGetValue(key, out var shared) || shared.Retired)
            {
                shared = current.Retired ? new RateLimitBucket(key) : current;
                _buckets[key] = shared;
            }
            _routeToBucket[route.RouteKey] = key;
            return shared;
        }
    }

    // Interaction buckets are one per interaction; drop idle ones so memory stays flat.
    private void PurgeIdle()
    {
        var now = _time.GetUtcNow();
        if (now - _lastPurge < TimeSpan.FromMinutes(1))
        {
            return;
        }
        _lastPurge = now;
        foreach (var (key, bucket) in _buckets.ToList())
        {
            if (now - bucket.LastUsed > TimeSpan.FromMinutes(5))
            {
                _buckets.Remove(key);
            }
        }
        foreach (var (route, key) in _routeToBucket.ToList())
        {
            if (!_buckets.ContainsKey(key))
            {
                _routeToBucket.Remove(route);
            }
        }
    }
}

/// <summary>A token taken from a bucket; give it back with Complete or Abandon.</summary>
public sealed class RateLimitLease
{
    internal RateLimitLease(RateLimitBucket bucket, GlobalSlot? slot)
    {
        Bucket = bucket;
        Slot = slot;
    }

    internal RateLimitBucket Bucket { get; }

    internal GlobalSlot? Slot { get; }
}
