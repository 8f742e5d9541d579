using System.Globalization;
using System.Net.Http.Headers;

namespace Bot.Discord.Rest.RateLimiting;

/// <summary>The <c>X-RateLimit-*</c> headers of one response.</summary>
public sealed record RateLimitHeaders(int? Limit, int? Remaining, TimeSpan? ResetAfter, string? Bucket, bool IsGlobal, string? Scope, TimeSpan? RetryAfter)
{
    public bool HasBucketInfo => Limit is not null && Remaining is not null && ResetAfter is not null;

    public static RateLimitHeaders From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var resetAfter = Seconds(headers, "X-RateLimit-Reset-After");
        if (resetAfter is null && Double(headers, "X-RateLimit-Reset") is { } resetEpoch)
        {
            // Only used when Reset-After is missing, since the absolute time depends on our clock.
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(resetEpoch * 1000));
            resetAfter = at > now ? at - now : TimeSpan.Zero;
        }
        return new RateLimitHeaders(
            Int(headers, "X-RateLimit-Limit"),
            Int(headers, "X-RateLimit-Remaining"),
            resetAfter,
            Text(headers, "X-RateLimit-Bucket"),
            string.Equals(Text(headers, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase),
            Text(headers, "X-RateLimit-Scope"),
            Seconds(headers, "Retry-After"));
    }

    private static string? Text(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static double? Double(HttpResponseHeaders headers, string name) =>
        double.TryParse(Text(headers, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static int? Int(HttpResponseHeaders headers, string name) =>
        int.TryParse(Text(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static TimeSpan? Seconds(HttpResponseHeaders headers, string name) =>
        Double(headers, name) is { } s ? TimeSpan.FromSeconds(s) : null;
}
