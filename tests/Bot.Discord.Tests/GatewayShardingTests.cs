using System.Text.Json.Nodes;
using Bot.Discord.Gateway;
using Bot.Testing.FakeDiscord;

namespace Bot.Discord.Tests;

/// <summary>Gateway sharding against the fake, which routes a guild's events by Discord's formula.</summary>
public sealed class GatewayShardingTests
{
    [Fact]
    public async Task Each_shard_identifies_with_its_id_and_gets_its_guilds_events_and_DMs_go_to_shard_0()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:ShardCount"] = "2" });
        await client.StartGatewayAsync();
        await fake.WaitForAsync(() => fake.Gateway.ConnectionOf(0) is not null && fake.Gateway.ConnectionOf(1) is not null, what: "both shards to connect");
        Assert.Equal([0, 1], client.Gateway.RunningShards);

        var guildShard = FakeGateway.ShardOf(fake.GuildId, 2);
        // The guild's GUILD_CREATE came on its own shard only.
        await Wait.UntilAsync(() => client.Received.Any(d => d.Name == "GUILD_CREATE"), "the guild's GUILD_CREATE");
        Assert.Single(client.Received, d => d.Name == "GUILD_CREATE");

        await fake.Gateway.DispatchAsync("TYPING_START", new JsonObject { ["guild_id"] = fake.GuildId.ToString(), ["channel_id"] = "1" });
        await fake.Gateway.DispatchAsync("TYPING_START", new JsonObject { ["channel_id"] = "2" });
        await Wait.UntilAsync(() => client.Received.Count(d => d.Name == "TYPING_START") == 2, "both events");

        // Where each went: the guild's to the guild's shard, the DM's to shard 0.
        Assert.Equal(guildShard, fake.Gateway.ShardReceiving("1"));
        Assert.Equal(0, fake.Gateway.ShardReceiving("2"));
    }

    [Fact]
    public async Task Identify_is_closed_with_4011_when_Discord_requires_more_shards_and_the_client_stops_for_good()
    {
        await using var fake = await FakeDiscordServer.StartAsync(o => o.MinimumShardCount = 2);
        await using var client = ClientHarness.Create(fake);
        await client.StartGatewayAsync();
        await Wait.UntilAsync(() => client.Gateway.Status == GatewayStatus.Failed, "the client to stop");
        Assert.Equal(4011, client.Gateway.FatalCloseCode);
        Assert.Equal(1, fake.Gateway.IdentifyCount);
    }

    [Fact]
    public async Task A_second_session_for_a_shard_that_has_a_live_one_is_refused()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var first = ClientHarness.Create(fake, new() { ["Discord:ShardCount"] = "2", ["Discord:Shards"] = "1" });
        await first.StartGatewayAsync();
        await fake.WaitForAsync(() => fake.Gateway.ConnectionOf(1) is not null, what: "shard 1 to connect");
        var live = fake.Gateway.ConnectionOf(1)!;

        await using var second = ClientHarness.Create(fake, new() { ["Discord:ShardCount"] = "2", ["Discord:Shards"] = "1" });
        await second.StartGatewayAsync();
        await Wait.UntilAsync(() => fake.Gateway.DuplicateShardIdentifies >= 1, "the second session to be refused");
        Assert.Same(live, fake.Gateway.ConnectionOf(1));
        Assert.True(live.IsOpen);
    }
}
