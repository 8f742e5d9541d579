using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

/// <summary>One client socket on the fake gateway, with what the fake observed on it.</summary>
public sealed class FakeGatewayConnection(WebSocket socket, HttpContext http, bool viaResumeUrl, int number)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<TimeSpan> _heartbeats = [];
    private readonly List<TimeSpan> _sends = [];

    public int Number { get; } = number;
    public bool ViaResumeUrl { get; } = viaResumeUrl;
    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;
    public string? SessionId { get; internal set; }
    public bool Identified { get; internal set; }
    public bool Resumed { get; internal set; }
    public bool IsOpen { get; internal set; } = true;

    /// <summary>The shard of the session on this connection.</summary>
    public int ShardId { get; internal set; }

    /// <summary>The close code the client sent, if it closed the connection itself.</summary>
    public int? ClientCloseCode { get; internal set; }

    /// <summary>The close code the fake sent, if it closed the connection.</summary>
    public int? ServerCloseCode { get; internal set; }

    /// <summary>Heartbeat arrival times, measured from Hello.</summary>
    public IReadOnlyList<TimeSpan> Heartbeats
    {
        get
        {
            lock (_heartbeats)
            {
                return _heartbeats.ToList();
            }
        }
    }

    private int _acks;

    /// <summary>Heartbeat ACKs (op 11) written to the socket so far; a frame sent after one reaches the client after it.</summary>
    public int AcksSent => Volatile.Read(ref _acks);

    internal void RecordAck() => Interlocked.Increment(ref _acks);

    internal WebSocket Socket => socket;

    internal void RecordHeartbeat()
    {
        lock (_heartbeats)
        {
            _heartbeats.Add(DateTimeOffset.UtcNow - OpenedAt);
        }
    }

    /// <summary>Counts a client send; returns the number within the window.</summary>
    internal int RecordSend(TimeSpan window)
    {
        lock (_sends)
        {
            var now = DateTimeOffset.UtcNow - OpenedAt;
            _sends.Add(now);
            _sends.RemoveAll(t => now - t >= window);
            return _sends.Count;
        }
    }

    internal async Task SendAsync(JsonObject payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString());
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State != WebSocketState.Open)
            {
                return;
            }
            // Split big payloads over several frames, as Discord does for READY and GUILD_CREATE.
            const int frame = 1024;
            for (var offset = 0; offset < bytes.Length; offset += frame)
            {
                var count = Math.Min(frame, bytes.Length - offset);
                await socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count >= bytes.Length, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            IsOpen = false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task CloseAsync(int code, string reason)
    {
        ServerCloseCode = code;
        IsOpen = false;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // Already gone.
        }
    }

    /// <summary>Drops the TCP connection with no close frame.</summary>
    internal void Abort()
    {
        IsOpen = false;
        try
        {
            http.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already finished (the client closed first): nothing left to abort.
        }
    }
}
