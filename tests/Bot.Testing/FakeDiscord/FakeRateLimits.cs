using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

/// <summary>One request as the fake's rate limiter saw it.</summary>
public sealed record RateLimitLogEntry(TimeSpan At, string Bucket, bool Global, int Status, bool Injected);

/// <summary>
/// Discord-like buckets: fixed windows that start at the first request, keyed by a per-route-group
/// hash plus the major parameter, with the full header set; and a global per-second cap for
/// non-interaction routes. 429s it produces itself are "preventable": a good client never sees one.
/// </summary>
public sealed class FakeRateLimits(FakeDiscordOptions options)
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, (int Count, TimeSpan End)> _windows = [];
    private readonly Queue<TimeSpan> _global = new();
    private readonly List<RateLimitLogEntry> _log = [];

    public IReadOnlyList<RateLimitLogEntry> Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToList();
            }
        }
    }

    /// <summary>429s the fake produced on its own because the client exceeded a limit.</summary>
    public int PreventableRateLimits
    {
        get
        {
            lock (_gate)
            {
                return _log.Count(e => e.Status == 429 && !e.Injected);
            }
        }
    }

    /// <summary>Checks and counts one request; returns false (and writes a 429) when over a limit.</summary>
    public async Task<bool> AdmitAsync(HttpContext context, string? bucketHash, string major, bool exemptFromGlobal)
    {
        var limited = false;
        var global = false;
        var retry = TimeSpan.Zero;
        var remaining = 0;
        lock (_gate)
        {
            var now = _clock.Elapsed;
            if (!exemptFromGlobal)
            {
                while (_global.Count > 0 && now - _global.Peek() >= TimeSpan.FromSeconds(1))
                {
                    _global.Dequeue();
                }
                if (_global.Count >= options.GlobalLimitPerSecond)
                {
                    limited = global = true;
                    retry = _global.Peek() + TimeSpan.FromSeconds(1) - now;
                    _log.Add(new RateLimitLogEntry(now, "global", true, 429, false));
                }
                else
                {
                    _global.Enqueue(now);
                }
            }
            if (!limited && bucketHash is not null)
            {
                var bucket = $"{bucketHash}:{major}";
                if (!_windows.TryGetValue(bucket, out var window) || now >= window.End)
                {
                    window = (0, now + options.BucketWindow);
                }
                retry = window.End - now;
                limited = window.Count >= options.BucketLimit;
                if (!limited)
                {
                    window.Count++;
                    _windows[bucket] = window;
                    remaining = options.BucketLimit - window.Count;
                }
                _log.Add(new RateLimitLogEntry(now, bucket, false, limited ? 429 : 200, false));
            }
            else if (!limited)
            {
                _log.Add(new RateLimitLogEntry(now, "none", false, 200, false));
            }
        }
        if (bucketHash is not null && !global)
        {
            WriteHeaders(context.Response, options.BucketLimit, remaining, retry, bucketHash);
        }
        if (limited)
        {
            await WriteTooManyAsync(context, retry, global, global ? "global" : "user").ConfigureAwait(false);
        }
        return !limited;
    }

    /// <summary>Records an injected 429 so it does not count as preventable.</summary>
    public void RecordInjected(string route, bool global)
    {
        lock (_gate)
        {
            _log.Add(new RateLimitLogEntry(_clock.Elapsed, route, global, 429, true));
        }
    }

    public static void WriteHeaders(HttpResponse response, int limit, int remaining, TimeSpan resetAfter, string bucketHash)
    {
        var resetEpoch = DateTimeOffset.UtcNow.Add(resetAfter).ToUnixTimeMilliseconds() / 1000.0;
        response.Headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = resetEpoch.ToString("0.000", CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset-After"] = Math.Max(0, resetAfter.TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Bucket"] = bucketHash;
    }

    public static Task WriteTooManyAsync(HttpContext context, TimeSpan retryAfter, bool global, string scope)
    {
        var seconds = Math.Max(0.001, retryAfter.TotalSeconds);
        context.Response.StatusCode = 429;
        context.Response.Headers["Retry-After"] = Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-RateLimit-Scope"] = scope;
        if (global)
        {
            context.Response.Headers["X-RateLimit-Global"] = "true";
        }
        return context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["message"] = "You are being rate limited.",
            ["retry_after"] = Math.Round(seconds, 3),
            ["global"] = global,
        });
    }
}
