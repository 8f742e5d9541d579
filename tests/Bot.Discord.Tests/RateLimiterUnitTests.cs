using Bot.Discord.Rest;
using Bot.Discord.Rest.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bot.Discord.Tests;

public sealed class RateLimiterUnitTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private DiscordRateLimiter Create() => new(
        Options.Create(new DiscordOptions { Token = "t", UnknownResetWait = TimeSpan.FromSeconds(30) }),
        _time, NullLogger<DiscordRateLimiter>.Instance);

    private static DiscordRoute Post(ulong channel) => DiscordRoute.Create(HttpMethod.Post, "channels/{channel_id}/messages", channel);

    private static RateLimitHeaders Headers(int limit, int remaining, double resetAfter, string bucket = "abc") =>
        new(limit, remaining, TimeSpan.FromSeconds(resetAfter), bucket, false, null, null);

    [Fact]
    public async Task An_unknown_route_allows_one_request_in_flight_until_headers_arrive()
    {
        var limiter = Create();
        var first = await limiter.AcquireAsync(Post(1));
        var second = limiter.AcquireAsync(Post(1));
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        limiter.Complete(Post(1), first, Headers(5, 4, 5));

        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_exhausted_bucket_waits_for_reset_after()
    {
        var limiter = Create();
        limiter.Complete(Post(1), await limiter.AcquireAsync(Post(1)), Headers(2, 1, 2));
        limiter.Complete(Post(1), await limiter.AcquireAsync(Post(1)), Headers(2, 0, 2));

        var third = limiter.AcquireAsync(Post(1));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.6));

        await third.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Buckets_are_split_by_major_parameter()
    {
        var limiter = Create();
        limiter.Complete(Post(1), await limiter.AcquireAsync(Post(1)), Headers(1, 0, 60));

        var otherChannel = await limiter.AcquireAsync(Post(2)).WaitAsync(TimeSpan.FromSeconds(10));
        var sameChannel = limiter.AcquireAsync(Post(1));
        await Task.Delay(50);

        Assert.NotNull(otherChannel);
        Assert.False(sameChannel.IsCompleted);
    }

    [Fact]
    public async Task Routes_that_share_a_bucket_hash_share_its_limit()
    {
        var limiter = Create();
        var edit = DiscordRoute.Create(HttpMethod.Patch, "channels/{channel_id}/messages/{message_id}", 1UL, 9UL);
        limiter.Complete(Post(1), await limiter.AcquireAsync(Post(1)), Headers(2, 1, 60, "shared"));
        limiter.Complete(edit, await limiter.AcquireAsync(edit), Headers(2, 0, 60, "shared"));

        var post = limiter.AcquireAsync(Post(1));
        await Task.Delay(50);

        Assert.False(post.IsCompleted);
    }

    [Fact]
    public async Task A_route_429_blocks_the_bucket_for_retry_after()
    {
        var limiter = Create();
        limiter.Complete(Post(1), await limiter.AcquireAsync(Post(1)), Headers(5, 4, 1));
        limiter.OnRateLimited(Post(1), Headers(5, 0, 1), TimeSpan.FromSeconds(10), global: false);

        var next = limiter.AcquireAsync(Post(1));
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(6));

        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, limiter.InvalidRequestCount);
    }
}
