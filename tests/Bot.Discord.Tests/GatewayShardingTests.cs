using System.Text.Json.Nodes;
using Bot.Discord.Gateway;
using Bot.Core.Ports;
using Bot.Data.Scale;
using Bot.Testing.FakeDiscord;
using Bot.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

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

    [Theory]
    [InlineData("[2, 2]")]
    [InlineData("[-1, 2]")]
    [InlineData("[0, 0]")]
    [InlineData("[0]")]
    public async Task The_fake_closes_an_identify_with_an_invalid_shard_with_4010(string shard)
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri(fake.GatewayUrl + "?v=10&encoding=json"), CancellationToken.None);
        var buffer = new byte[64 * 1024];
        await socket.ReceiveAsync(buffer, CancellationToken.None); // Hello
        var identify = new JsonObject
        {
            ["op"] = 2,
            ["d"] = new JsonObject
            {
                ["token"] = fake.Token,
                ["intents"] = 513,
                ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "t", ["device"] = "t" },
                ["shard"] = JsonNode.Parse(shard),
            },
        }.ToJsonString();
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(identify), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        System.Net.WebSockets.WebSocketReceiveResult result;
        do result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        while (result.MessageType != System.Net.WebSockets.WebSocketMessageType.Close);
        Assert.Equal(4010, (int?)socket.CloseStatus);
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

/// <summary>Shard leases in a real database: which of two processes' gateway clients runs the shard.</summary>
public sealed class GatewayShardLeaseTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private ClientHarness Process(FakeDiscordServer fake) => ClientHarness.Create(fake,
        new() { ["Discord:ShardLeaseDuration"] = "00:00:01" },
        services => services.AddSingleton<IGatewayShardLeases>(new GatewayShardLeases(db.Database, TimeProvider.System)));

    [Fact]
    public async Task The_second_process_stands_by_and_takes_the_shard_when_the_first_stops()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var first = Process(fake);
        await using var second = Process(fake);
        await first.StartGatewayAsync();
        await fake.WaitForReadyAsync();
        await second.StartGatewayAsync();
        var firstConnection = fake.Gateway.CurrentConnection!;

        // The second renews its claim (and gets nothing) while the first holds the shard.
        await Wait.UntilAsync(() => second.Gateway.LeaseRounds >= 2, "the second process to look for a free shard twice");
        Assert.Empty(second.Gateway.RunningShards);
        Assert.Equal(1, fake.Gateway.IdentifyCount);

        await first.Gateway.StopAsync(CancellationToken.None);
        await fake.WaitForAsync(() => fake.Gateway.CurrentConnection is { } c && !ReferenceEquals(c, firstConnection), what: "the second process's session");
        Assert.Equal([0], second.Gateway.RunningShards);
    }

    [Fact]
    public async Task A_process_whose_lease_was_taken_closes_that_shards_session()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var process = Process(fake);
        await process.StartGatewayAsync();
        await fake.WaitForReadyAsync();
        var connection = fake.Gateway.CurrentConnection!;

        // Another process took the shard over (as after this one's lease had run out).
        await using (var c = await db.DataSource.OpenConnectionAsync())
            await Dapper.SqlMapper.ExecuteAsync(c, "UPDATE gateway_shards SET owner = 'elsewhere:1:x', leased_until = now() + interval '1 hour' WHERE owner = @owner",
                new { owner = process.Gateway.Owner });

        await fake.WaitForAsync(() => !connection.IsOpen, what: "the session to be closed");
        Assert.Empty(process.Gateway.RunningShards);
    }
}
