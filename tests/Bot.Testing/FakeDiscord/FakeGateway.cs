using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

/// <summary>
/// The fake gateway: handshake rules and close codes, READY/GUILD_CREATE, heartbeat ACKs, a replay
/// log per session for Resume, and scripted faults (op 7, op 9, zombie, abort, close codes).
/// </summary>
public sealed partial class FakeGateway(FakeDiscordOptions options, FakeDiscordStore store)
{
    private const int PrivilegedIntents = (1 << 1) | (1 << 8) | (1 << 15);
    private const int KnownIntents = (1 << 26) - 1;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _dispatchOrder = new(1, 1);
    private readonly Dictionary<string, FakeGatewaySession> _sessions = [];
    private readonly List<FakeGatewayConnection> _connections = [];
    // The live session of each shard; a new Identify for a shard replaces its session.
    private readonly Dictionary<int, FakeGatewaySession> _shardSessions = [];

    /// <summary>Shard 0's session: the bot's only one when it does not shard.</summary>
    private FakeGatewaySession? _current => _shardSessions.GetValueOrDefault(0);
    private int _identifies;
    private int _resumes;

    /// <summary>Base URL of the server (set at start), e.g. <c>ws://127.0.0.1:1234</c>.</summary>
    public string WebSocketBase { get; internal set; } = string.Empty;

    /// <summary>When set, heartbeats are not acknowledged, so the client should detect a zombie.</summary>
    public bool ZombieMode { get; set; }

    public int IdentifyCount => Volatile.Read(ref _identifies);
    public int ResumeCount => Volatile.Read(ref _resumes);

    public IReadOnlyList<FakeGatewayConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return _connections.ToList();
            }
        }
    }

    public FakeGatewayConnection? CurrentConnection
    {
        get
        {
            lock (_gate)
            {
                return _connections.LastOrDefault(c => c.IsOpen && c.ShardId == 0 && (c.Identified || c.Resumed));
            }
        }
    }

    public string? CurrentSessionId
    {
        get
        {
            lock (_gate)
            {
                return _current?.Id;
            }
        }
    }

    /// <summary>Intents of the current session (0 when there is none).</summary>
    public int CurrentIntents
    {
        get
        {
            lock (_gate)
            {
                return _current?.Intents ?? 0;
            }
        }
    }

    /// <summary>The open, authenticated connection of <paramref name="shardId"/>, if any.</summary>
    public FakeGatewayConnection? ConnectionOf(int shardId)
    {
        lock (_gate)
        {
            return _connections.LastOrDefault(c => c.IsOpen && c.ShardId == shardId && (c.Identified || c.Resumed));
        }
    }

    private readonly List<(int Shard, string? ChannelId)> _routed = [];

    /// <summary>The shard the last dispatch about channel <paramref name="channelId"/> was routed to, or null.</summary>
    public int? ShardReceiving(string channelId)
    {
        lock (_gate)
        {
            return _routed.Where(r => r.ChannelId == channelId).Select(r => (int?)r.Shard).LastOrDefault();
        }
    }

    /// <summary>Discord's routing: a guild's events go to shard <c>(guild_id &gt;&gt; 22) % shard_count</c>; DMs (no guild) to shard 0.</summary>
    public static int ShardOf(ulong? guildId, int shardCount) => guildId is { } g ? (int)((g >> 22) % (ulong)shardCount) : 0;

    /// <summary>
    /// Sends a dispatch on the session of the shard its guild belongs to (its <c>guild_id</c>;
    /// none = shard 0), logged for replay even when disconnected.
    /// </summary>
    public async Task<int> DispatchAsync(string eventName, JsonObject data)
    {
        // Discord delivers a session's dispatches in sequence order, and clients drop a dispatch whose
        // sequence is not above the last one seen (a replay). Numbering and sending under one lock
        // keeps concurrent injections in order, as on the real gateway.
        await _dispatchOrder.WaitAsync().ConfigureAwait(false);
        try
        {
            FakeGatewayConnection? target;
            JsonObject payload;
            lock (_gate)
            {
                var shardCount = _shardSessions.Values.Select(v => v.ShardCount).DefaultIfEmpty(1).Max();
                ulong? guild = ulong.TryParse(FakeJson.Str(data["guild_id"]), out var g) ? g : null;
                var shard = ShardOf(guild, shardCount);
                var session = _shardSessions.GetValueOrDefault(shard) ?? throw new InvalidOperationException(
                    $"No gateway session for shard {shard} of {shardCount} yet: wait for the bot to connect (WaitForReadyAsync).");
                payload = session.Append(eventName, data);
                _routed.Add((shard, FakeJson.Str(data["channel_id"])));
                target = _connections.LastOrDefault(c => c.IsOpen && c.SessionId == session.Id && (c.Identified || c.Resumed));
            }
            if (target is not null)
            {
                await target.SendAsync(payload).ConfigureAwait(false);
            }
            return payload["s"]!.GetValue<int>();
        }
        finally
        {
            _dispatchOrder.Release();
        }
    }

    internal async Task HandleAsync(HttpContext context, bool viaResumeUrl)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        FakeGatewayConnection connection;
        lock (_gate)
        {
            connection = new FakeGatewayConnection(socket, context, viaResumeUrl, _connections.Count + 1);
            _connections.Add(connection);
        }
        if (context.Request.Query["v"] != "10" || context.Request.Query["encoding"] != "json")
        {
            await connection.CloseAsync(4012, "Invalid API version").ConfigureAwait(false);
            return;
        }
        await connection.SendAsync(new JsonObject
        {
            ["op"] = 10,
            ["d"] = new JsonObject { ["heartbeat_interval"] = (int)options.HelloInterval.TotalMilliseconds },
            ["s"] = null,
            ["t"] = null,
        }).ConfigureAwait(false);
        try
        {
            await ReceiveLoopAsync(connection, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client vanished (or we aborted it).
        }
        finally
        {
            connection.IsOpen = false;
        }
    }

    private async Task ReceiveLoopAsync(FakeGatewayConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (connection.Socket.State == WebSocketState.Open)
        {
            buffer.Clear();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await connection.Socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                buffer.Advance(result.Count);
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                connection.ClientCloseCode = (int?)connection.Socket.CloseStatus;
                connection.IsOpen = false;
                return;
            }
            if (buffer.WrittenCount > 4096)
            {
                await connection.CloseAsync(4002, "Payload too large").ConfigureAwait(false);
                return;
            }
            if (connection.RecordSend(options.GatewaySendWindow) > options.GatewaySendLimit)
            {
                await connection.CloseAsync(4008, "Rate limited").ConfigureAwait(false);
                return;
            }
            JsonObject? payload;
            try
            {
                payload = JsonNode.Parse(buffer.WrittenSpan) as JsonObject;
            }
            catch (JsonException)
            {
                payload = null;
            }
            if (payload is null || FakeJson.Int(payload["op"]) is not { } op)
            {
                await connection.CloseAsync(4002, "Decode error").ConfigureAwait(false);
                return;
            }
            if (!await HandlePayloadAsync(connection, op, payload["d"]).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Returns false when the connection was closed.</summary>
    private async Task<bool> HandlePayloadAsync(FakeGatewayConnection connection, int op, JsonNode? data)
    {
        switch (op)
        {
            case 1:
                connection.RecordHeartbeat();
                if (!ZombieMode)
                {
                    await connection.SendAsync(new JsonObject { ["op"] = 11, ["d"] = null, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
                    connection.RecordAck();
                }
                return true;
            case 2:
                return await IdentifyAsync(connection, data as JsonObject).ConfigureAwait(false);
            case 6:
                return await ResumeAsync(connection, data as JsonObject).ConfigureAwait(false);
            case 3 or 4 or 8:
                if (!connection.Identified && !connection.Resumed)
                {
                    await connection.CloseAsync(4003, "Not authenticated").ConfigureAwait(false);
                    return false;
                }
                return true;
            default:
                await connection.CloseAsync(4001, "Unknown opcode").ConfigureAwait(false);
                return false;
        }
    }
}
