using Bot.Discord.Gateway;
using Bot.Discord.Rest;
using Bot.Discord.Rest.RateLimiting;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bot.Discord.Tests;

/// <summary>Discord's rules the client keeps by itself: identify limits, the invalid-request ban, TLS for the token.</summary>
public sealed class DiscordRulesTests
{
    private static DiscordOptions Resolve(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Discord:Token"] = "t" };
        foreach (var (key, value) in settings) values[key] = value;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DiscordOptions>>().Value;
    }

    [Theory]
    [InlineData("http://discord.com/api/v10")]
    [InlineData("http://10.0.0.5:8080/api/v10")]
    public void A_plain_http_api_base_url_is_refused_unless_it_is_loopback(string url)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("Discord:ApiBaseUrl", url)));
        Assert.Contains("Discord:ApiBaseUrl must use https://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://discord.com/api/v10")]
    [InlineData("http://127.0.0.1:5005/api/v10")]
    [InlineData("http://localhost:5005/api/v10")]
    [InlineData("http://[::1]:5005/api/v10")]
    public void Https_and_loopback_api_base_urls_are_accepted(string url) =>
        Assert.Equal(url, Resolve(("Discord:ApiBaseUrl", url)).ApiBaseUrl);

    [Fact]
    public void A_plain_ws_gateway_url_is_refused_unless_it_is_loopback()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("Discord:GatewayUrl", "ws://gateway.example.com")));
        Assert.Contains("Discord:GatewayUrl must use wss://", error.Message, StringComparison.Ordinal);
        Assert.Equal("ws://127.0.0.1:4000/gw", Resolve(("Discord:GatewayUrl", "ws://127.0.0.1:4000/gw")).GatewayUrl);
    }

    private static DiscordRoute Post(ulong channel) => DiscordRoute.Create(HttpMethod.Post, "channels/{channel_id}/messages", channel);

    private static DiscordRoute Callback(ulong interaction) =>
        DiscordRoute.Create(HttpMethod.Post, "interactions/{interaction_id}/{interaction_token}/callback", interaction, "token");

    private static DiscordRateLimiter Limiter(FakeTimeProvider time) => new(
        Options.Create(new DiscordOptions { Token = "t", InvalidRequestWarningThreshold = 8_000, InvalidRequestSlowdownInterval = TimeSpan.FromSeconds(1) }),
        time, NullLogger<DiscordRateLimiter>.Instance);

    [Fact]
    public async Task Near_the_invalid_request_ban_requests_are_spaced_out_but_interaction_answers_are_not()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = Limiter(time);
        for (var i = 0; i < 8_000; i++) limiter.OnInvalidRequest(403);
        Assert.True(limiter.IsSlowingDown);

        await limiter.AcquireAsync(Post(1)).WaitAsync(TimeSpan.FromSeconds(10));
        // Another channel, so no bucket stands in the way: only the slowdown can hold it.
        var second = limiter.AcquireAsync(Post(2));
        var answer = limiter.AcquireAsync(Callback(99));
        await answer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Below_the_threshold_and_after_the_window_requests_are_not_slowed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = Limiter(time);
        for (var i = 0; i < 7_999; i++) limiter.OnInvalidRequest(403);
        await limiter.AcquireAsync(Post(1)).WaitAsync(TimeSpan.FromSeconds(10));
        await limiter.AcquireAsync(Post(2)).WaitAsync(TimeSpan.FromSeconds(10));

        limiter.OnInvalidRequest(403);
        Assert.True(limiter.IsSlowingDown);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(limiter.IsSlowingDown);
        await limiter.AcquireAsync(Post(3)).WaitAsync(TimeSpan.FromSeconds(10));
        await limiter.AcquireAsync(Post(4)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task With_no_identifies_left_the_client_waits_for_the_reset_instead_of_identifying()
    {
        await using var fake = await FakeDiscordServer.StartAsync(o =>
        {
            o.HelloInterval = TimeSpan.FromSeconds(10);
            o.SessionStartRemaining = 0;
            o.SessionStartResetAfterMs = 60_000;
        });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = ClientHarness.Create(fake, null, services => services.AddSingleton<TimeProvider>(time));
        await client.StartGatewayAsync();

        await Wait.UntilAsync(() => client.Logs.Lines.Any(l => l.Level == LogLevel.Critical && l.Message.Contains("no more gateway sessions", StringComparison.Ordinal)),
            "the critical log line about the exhausted session start limit");
        Assert.Equal(0, fake.Gateway.IdentifyCount);
        Assert.Empty(fake.Gateway.Connections);

        // Discord's counter has reset by the time reset_after has passed.
        fake.Options.SessionStartRemaining = null;
        time.Advance(TimeSpan.FromSeconds(61));
        await Wait.UntilAsync(() => fake.Gateway.IdentifyCount == 1, "the identify after the reset");
        await fake.WaitForReadyAsync();
        Assert.Equal(1, client.Gateway.SessionStartWaits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task At_most_max_concurrency_identifies_start_per_window(int maxConcurrency)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new DiscordOptions { Token = "t", IdentifyMinInterval = TimeSpan.Zero, IdentifyConcurrencyWindow = TimeSpan.FromSeconds(5) };
        var context = new GatewaySessionContext(options, time, new Random(1)) { MaxConcurrency = maxConcurrency };
        // Shards 0..max-1 are in different buckets (shard_id % max_concurrency): all start at once.
        for (var shard = 0; shard < maxConcurrency; shard++)
            await context.WaitForIdentifySlotAsync(shard, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        // Shard max shares bucket 0 with shard 0: it waits for the window.
        var next = context.WaitForIdentifySlotAsync(maxConcurrency, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(maxConcurrency + 1, context.IdentifyCount);
    }

    [Theory]
    [InlineData("", 4, new[] { 0, 1, 2, 3 })]
    [InlineData("0-3", 8, new[] { 0, 1, 2, 3 })]
    [InlineData("0,2", 4, new[] { 0, 2 })]
    [InlineData(" 5 , 1-2 ", 6, new[] { 1, 2, 5 })]
    public void Shard_selection_reads_ids_and_ranges(string text, int count, int[] expected)
    {
        var (shards, error) = ShardSelection.Parse(text, count);
        Assert.Null(error);
        Assert.Equal(expected, shards);
    }

    [Theory]
    [InlineData("4", 4, "names shard 4, but Discord:ShardCount is 4")]
    [InlineData("3-1", 4, "runs backwards")]
    [InlineData("0;1", 4, "is not a list of shard ids")]
    [InlineData("-1", 4, "is not a list of shard ids")]
    [InlineData("", 0, "Discord:ShardCount must be at least 1")]
    public void A_bad_shard_setting_is_refused_at_start_with_what_is_wrong(string text, int count, string message)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discord:Token"] = "t",
            ["Discord:Shards"] = text,
            ["Discord:ShardCount"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddLogging().AddDiscordClient(configuration).BuildServiceProvider();
        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.Options.IOptions<DiscordOptions>>(services).Value);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
