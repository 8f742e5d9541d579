using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bot.Discord.Tests;

/// <summary>Gateway timing driven by a FakeTimeProvider, so nothing depends on the machine's speed.</summary>
public sealed class GatewayTimingTests
{
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    [Fact]
    public async Task First_heartbeat_waits_a_jittered_fraction_of_the_interval()
    {
        await using var fake = await FakeDiscordServer.StartAsync(o => o.HelloInterval = TimeSpan.FromSeconds(10));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = ClientHarness.Create(fake, null, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<Random>(new FixedRandom(0.5));
        });
        await client.StartGatewayAsync();
        await fake.WaitForReadyAsync();
        var connection = fake.Gateway.CurrentConnection!;

        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(200);
        Assert.Empty(connection.Heartbeats);
        time.Advance(TimeSpan.FromSeconds(0.2));
        await Wait.UntilAsync(() => connection.Heartbeats.Count == 1, "the first heartbeat");
        time.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Delay(200);
        Assert.Single(connection.Heartbeats);
        time.Advance(TimeSpan.FromSeconds(0.2));
        await Wait.UntilAsync(() => connection.Heartbeats.Count == 2, "the second heartbeat, one interval later");
    }

    [Fact]
    public async Task Identify_after_an_invalid_session_waits_for_the_identify_interval()
    {
        await using var fake = await FakeDiscordServer.StartAsync(o => o.HelloInterval = TimeSpan.FromSeconds(10));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = ClientHarness.Create(fake, new() { ["Discord:IdentifyMinInterval"] = "00:00:30" }, services =>
            services.AddSingleton<TimeProvider>(time));
        await client.StartGatewayAsync();
        await fake.WaitForReadyAsync();

        await fake.Gateway.InvalidateSessionAsync(resumable: false);
        await Wait.UntilAsync(() => fake.Gateway.Connections.Count == 2, "the client to reconnect");
        await Task.Delay(300);
        Assert.Equal(1, fake.Gateway.IdentifyCount);

        time.Advance(TimeSpan.FromSeconds(31));
        await Wait.UntilAsync(() => fake.Gateway.IdentifyCount == 2, "the second identify");
        await fake.WaitForReadyAsync();
    }
}
