using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Bot.Discord.Gateway;

namespace Bot.Benchmarks;

/// <summary>
/// Timestamps taken inside the bot process without changing the product: when the gateway socket
/// delivered the last byte of an INTERACTION_CREATE, and when the interaction's callback request
/// left for (and came back from) the HTTP stack.
/// </summary>
public sealed class InteractionClock
{
    private readonly ConcurrentDictionary<ulong, long> _received = new();
    private readonly ConcurrentDictionary<ulong, (long Sent, long Answered)> _callbacks = new();

    public bool Enabled { get; set; }

    /// <summary>Forgets the warm-up: only interactions received from now on are measured.</summary>
    public void Reset()
    {
        _received.Clear();
        _callbacks.Clear();
    }

    public void Received(ulong interactionId, long timestamp)
    {
        if (Enabled) _received.TryAdd(interactionId, timestamp);
    }

    public void CallbackSent(ulong interactionId, long timestamp)
    {
        if (Enabled) _callbacks.TryAdd(interactionId, (timestamp, 0));
    }

    public void CallbackAnswered(ulong interactionId, long timestamp)
    {
        if (Enabled && _callbacks.TryGetValue(interactionId, out var entry)) _callbacks[interactionId] = entry with { Answered = timestamp };
    }

    /// <summary>The slowest interactions, receipt to callback sent, with their receipt timestamps.</summary>
    public List<(long At, double Ms)> Slowest(int count) =>
        [.. _received.Where(r => _callbacks.ContainsKey(r.Key))
            .Select(r => (r.Value, Stopwatch.GetElapsedTime(r.Value, _callbacks[r.Key].Sent).TotalMilliseconds))
            .OrderByDescending(x => x.Item2).Take(count)];

    /// <summary>Milliseconds from socket receipt to the callback being sent, and to its response, per interaction seen both ways.</summary>
    public (List<double> ToSend, List<double> ToAnswer, int ReceivedOnly) Latencies()
    {
        var toSend = new List<double>();
        var toAnswer = new List<double>();
        var receivedOnly = 0;
        foreach (var (id, received) in _received)
        {
            if (!_callbacks.TryGetValue(id, out var callback))
            {
                receivedOnly++;
                continue;
            }
            toSend.Add(Stopwatch.GetElapsedTime(received, callback.Sent).TotalMilliseconds);
            if (callback.Answered != 0) toAnswer.Add(Stopwatch.GetElapsedTime(received, callback.Answered).TotalMilliseconds);
        }
        return (toSend, toAnswer, receivedOnly);
    }
}

/// <summary>Wraps the product's socket factory so every received gateway message is timestamped.</summary>
public sealed class TimingSocketFactory(InteractionClock clock) : IGatewaySocketFactory
{
    private readonly ClientWebSocketFactory _inner = new();

    public async Task<WebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken = default) =>
        new TimingWebSocket(await _inner.ConnectAsync(uri, cancellationToken).ConfigureAwait(false), clock);
}

/// <summary>Delegates to the real socket; copies each message's bytes aside to find INTERACTION_CREATE ids.</summary>
public sealed class TimingWebSocket(WebSocket inner, InteractionClock clock) : WebSocket
{
    private readonly MemoryStream _message = new();

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;
    public override string? CloseStatusDescription => inner.CloseStatusDescription;
    public override WebSocketState State => inner.State;
    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose()
    {
        inner.Dispose();
        _message.Dispose();
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.AsSpan(0, result.Count), result.EndOfMessage, result.MessageType);
        return result;
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..result.Count], result.EndOfMessage, result.MessageType);
        return result;
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    private void Observe(ReadOnlySpan<byte> chunk, bool endOfMessage, WebSocketMessageType type)
    {
        if (type != WebSocketMessageType.Text) return;
        var now = Stopwatch.GetTimestamp();
        _message.Write(chunk);
        if (!endOfMessage) return;
        var bytes = _message.GetBuffer().AsSpan(0, (int)_message.Length);
        _message.SetLength(0);
        if (!clock.Enabled || bytes.IndexOf("INTERACTION_CREATE"u8) < 0) return;
        if (InteractionId(bytes) is { } id) clock.Received(id, now);
    }

    private static ulong? InteractionId(ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray());
        return document.RootElement.TryGetProperty("d", out var d) && d.TryGetProperty("id", out var id)
            && ulong.TryParse(id.GetString(), out var value) ? value : null;
    }
}

/// <summary>Added to the product's "Discord" HttpClient: timestamps interaction callbacks by interaction id.</summary>
public sealed class CallbackTimingHandler(InteractionClock clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var id = CallbackId(request.RequestUri);
        if (id is { } sent) clock.CallbackSent(sent, Stopwatch.GetTimestamp());
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (id is { } answered) clock.CallbackAnswered(answered, Stopwatch.GetTimestamp());
        return response;
    }

    /// <summary>The id in <c>/interactions/{id}/{token}/callback</c>.</summary>
    private static ulong? CallbackId(Uri? uri)
    {
        var path = uri?.AbsolutePath;
        if (path is null || !path.EndsWith("/callback", StringComparison.Ordinal)) return null;
        var segments = path.Split('/');
        var at = Array.IndexOf(segments, "interactions");
        return at >= 0 && at + 1 < segments.Length && ulong.TryParse(segments[at + 1], out var id) ? id : null;
    }
}
