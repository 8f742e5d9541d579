using Bot.Discord.Api;
using Bot.Testing.FakeDiscord;
using Bot.Discord.Rest.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Tests;

public sealed class RateLimitTests
{
    // Small windows so bursts run in seconds; the client learns them from the headers alone.
    private static void SmallBuckets(FakeDiscordOptions o)
    {
        o.BucketLimit = 10;
        o.BucketWindow = TimeSpan.FromMilliseconds(100);
        o.GlobalLimitPerSecond = 150;
    }

    private static readonly Dictionary<string, string?> ClientGlobalCap = new() { ["Discord:GlobalRequestsPerSecond"] = "150" };

    [Fact]
    public async Task A_burst_of_500_edits_on_one_channel_stays_within_the_bucket()
    {
        await using var fake = await FakeDiscordServer.StartAsync(SmallBuckets);
        await using var client = ClientHarness.Create(fake, ClientGlobalCap);
        var message = (await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "tally" })).Value;

        var edits = Enumerable.Range(0, 500).Select(i =>
            client.Messages.EditMessageAsync(fake.DefaultChannelId, message.Id, new MessageEdit { Content = $"tally {i}" }));
        var results = await Task.WhenAll(edits);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal(0, fake.RateLimits.PreventableRateLimits);
        Assert.Equal(500, fake.Message(message.Id)!.EditCount);
    }

    [Fact]
    public async Task Two_hundred_posts_across_twenty_channels_stay_within_buckets_and_the_global_cap()
    {
        await using var fake = await FakeDiscordServer.StartAsync(o =>
        {
            SmallBuckets(o);
            o.BucketLimit = 5;
            o.GlobalLimitPerSecond = 60;
        });
        await using var client = ClientHarness.Create(fake, new() { ["Discord:GlobalRequestsPerSecond"] = "60" });
        var channels = Enumerable.Range(0, 20).Select(i => fake.CreateChannel($"c{i}").Id).ToList();

        var posts = channels.SelectMany(c => Enumerable.Range(0, 10).Select(i =>
            client.Messages.CreateMessageAsync(c, new MessageCreate { Content = $"post {i}" })));
        var results = await Task.WhenAll(posts);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.True(fake.RateLimits.PreventableRateLimits == 0, string.Join("\n", fake.RateLimits.Log.Where(e => e.Status == 429).Take(10)));
        Assert.All(channels, c => Assert.Equal(10, fake.MessagesIn(c).Count));
    }

    [Theory]
    [InlineData(FaultKind.RateLimit, "user")]
    [InlineData(FaultKind.RateLimit, "shared")]
    [InlineData(FaultKind.GlobalRateLimit, "global")]
    public async Task Injected_429s_are_waited_out_and_the_request_succeeds(FaultKind kind, string scope)
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:InvalidRequestWarningThreshold"] = "1" });
        fake.Faults.Add(new RestFault { Kind = kind, Scope = scope, Duration = TimeSpan.FromMilliseconds(300), Matches = FakeRestFaults.Route("POST", "/messages") });

        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "after 429" });

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(2, fake.Rest.Requests.Count(r => r.Method == "POST"));
        Assert.Single(fake.MessagesIn(fake.DefaultChannelId));
        var warned = client.Logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains("invalid requests", StringComparison.Ordinal));
        // Shared-scope 429s do not count towards Discord's invalid-request ban.
        Assert.Equal(scope != "shared", warned);
    }

    [Fact]
    public async Task Interaction_callback_is_not_queued_behind_a_rate_limited_route()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        await client.StartGatewayAsync();
        await fake.WaitForReadyAsync();
        fake.Faults.Add(new RestFault { Kind = FaultKind.GlobalRateLimit, Duration = TimeSpan.FromSeconds(5), Matches = FakeRestFaults.Route("POST", "/messages") });
        var blocked = client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "waits out a global 429" });
        var limiter = client.Services.GetRequiredService<DiscordRateLimiter>();
        await Wait.UntilAsync(() => limiter.InvalidRequestCount == 1, "the client to see the injected 429");
        // This post now waits behind the global pause too.
        var queued = client.Messages.CreateMessageAsync(fake.CreateChannel("other").Id, new MessageCreate { Content = "queued" });

        var injected = await fake.SlashCommandAsync(fake.DefaultChannelId, "status");
        await Wait.UntilAsync(() => client.ReceivedNamed("INTERACTION_CREATE").Count == 1, "INTERACTION_CREATE");
        var interaction = client.ReceivedNamed("INTERACTION_CREATE")[0].As<Interaction>()!;
        var callback = await client.Interactions.RespondAsync(interaction.Id, interaction.Token, InteractionResponse.Defer());

        Assert.True(callback.IsSuccess, callback.Error?.ToString());
        Assert.False(blocked.IsCompleted);
        Assert.False(queued.IsCompleted);
        Assert.True((await blocked).IsSuccess);
        Assert.True((await queued).IsSuccess);
        Assert.NotNull(injected.Response);
    }
}
