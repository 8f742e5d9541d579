using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Bot.Discord.Api;

namespace Bot.Discord.Gateway;

/// <summary>Opens gateway sockets; a seam so tests can substitute the transport.</summary>
public interface IGatewaySocketFactory
{
    Task<WebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken = default);
}

public sealed class ClientWebSocketFactory : IGatewaySocketFactory
{
    public async Task<WebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        // Our own heartbeat detects dead connections; WebSocket pings would only add noise.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>JSON payloads over one WebSocket: whole (multi-frame) messages in, serialized sends out.</summary>
internal sealed class GatewaySocket(WebSocket socket) : IAsyncDisposable
{
    public const int MaxPayloadBytes = 4096;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public int? CloseStatus => (int?)socket.CloseStatus;

    /// <summary>The next payload, or null when the peer closed the connection.</summary>
    public async Task<GatewayPayload?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return JsonSerializer.Deserialize<GatewayPayload>(buffer.WrittenSpan, DiscordJson.Options);
            }
        }
    }

    public async Task SendAsync(GatewayPayload payload, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, DiscordJson.Options);
        if (bytes.Length > MaxPayloadBytes)
        {
            throw new InvalidOperationException($"Gateway payload op {payload.Op} is {bytes.Length} bytes; Discord closes the connection above {MaxPayloadBytes}.");
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes with a code other than 1000/1001 so Discord keeps the session resumable.</summary>
    public async Task CloseForResumeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)GatewayCloseCodes.UnknownError, "reconnecting", cts.Token).ConfigureAwait(false);
                // Let the close frame reach the peer before the abort below resets the connection
                // (a reset can discard it unread): the receive loop sees the peer's answer and the
                // state leaves CloseSent, or the second runs out.
                while (socket.State == WebSocketState.CloseSent) await Task.Delay(10, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer may already be gone; aborting below is enough.
        }
        socket.Abort();
    }

    public async Task CloseNormallyAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "shutdown", cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Shutting down anyway.
        }
        socket.Abort();
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
