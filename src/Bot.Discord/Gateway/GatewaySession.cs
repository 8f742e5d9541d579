using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Bot.Discord.Api;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Gateway;

/// <summary>How one connection ended.</summary>
internal sealed record SessionOutcome(GatewayRecovery Recovery, bool ReachedReady, int? CloseCode, string Reason);

/// <summary>
/// One connection: Hello, heartbeats on their own task, Identify or Resume, then the receive loop,
/// which only parses and writes dispatches to the channel and never runs business code.
/// </summary>
internal sealed partial class GatewaySession(
    GatewaySocket socket,
    GatewaySessionState state,
    GatewaySessionContext context,
    int shardId,
    ChannelWriter<GatewayDispatch> dispatches,
    ILogger logger)
{
    private volatile bool _ackPending;
    private volatile bool _zombie;
    private bool _reachedReady;

    public async Task<SessionOutcome> RunAsync(bool resume, CancellationToken cancellationToken)
    {
        using var sessionCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task heartbeat = Task.CompletedTask;
        try
        {
            var hello = await socket.ReceiveAsync(sessionCts.Token).ConfigureAwait(false);
            if (hello is null)
            {
                return Closed();
            }
            if (hello.Op == GatewayOpcode.Reconnect)
            {
                await socket.CloseForResumeAsync().ConfigureAwait(false);
                return new SessionOutcome(GatewayRecovery.Resume, false, null, "op 7 before Hello");
            }
            if (hello.Op != GatewayOpcode.Hello || hello.D is not { } helloData)
            {
                await socket.CloseForResumeAsync().ConfigureAwait(false);
                return new SessionOutcome(GatewayRecovery.Resume, false, null, $"expected Hello, got op {hello.Op}");
            }
            var interval = TimeSpan.FromMilliseconds(helloData.Deserialize<Hello>(DiscordJson.Options)!.HeartbeatInterval);
            heartbeat = HeartbeatLoopAsync(interval, sessionCts.Token);

            if (resume && state.SessionId is { } sessionId)
            {
                context.CountResume();
                await context.SendLimiter.WaitAsync(sessionCts.Token).ConfigureAwait(false);
                await SendAsync(GatewayOpcode.Resume, new Resume(context.Token, sessionId, state.Sequence), sessionCts.Token).ConfigureAwait(false);
            }
            else
            {
                await context.WaitForIdentifySlotAsync(shardId, sessionCts.Token).ConfigureAwait(false);
                await context.SendLimiter.WaitAsync(sessionCts.Token).ConfigureAwait(false);
                state.Clear();
                await SendAsync(GatewayOpcode.Identify, context.CreateIdentify(shardId), sessionCts.Token).ConfigureAwait(false);
            }
            return await ReceiveLoopAsync(sessionCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or JsonException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return _zombie
                ? new SessionOutcome(GatewayRecovery.Resume, _reachedReady, null, "zombie connection (no heartbeat ACK)")
                : new SessionOutcome(GatewayRecovery.Resume, _reachedReady, null, $"connection lost: {ex.GetType().Name}");
        }
        finally
        {
            await sessionCts.CancelAsync().ConfigureAwait(false);
            try
            {
                await heartbeat.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The session is over; whatever the heartbeat task hit no longer matters.
            }
        }
    }

    private async Task<SessionOutcome> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await socket.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (payload is null)
            {
                return Closed();
            }
            switch (payload.Op)
            {
                case GatewayOpcode.Dispatch:
                    await OnDispatchAsync(payload, cancellationToken).ConfigureAwait(false);
                    break;
                case GatewayOpcode.Heartbeat:
                    await SendHeartbeatAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case GatewayOpcode.HeartbeatAck:
                    _ackPending = false;
                    break;
                case GatewayOpcode.Reconnect:
                    await socket.CloseForResumeAsync().ConfigureAwait(false);
                    return new SessionOutcome(GatewayRecovery.Resume, _reachedReady, null, "server asked to reconnect (op 7)");
                case GatewayOpcode.InvalidSession:
                    var resumable = payload.D is { ValueKind: JsonValueKind.True };
                    await socket.CloseForResumeAsync().ConfigureAwait(false);
                    return new SessionOutcome(
                        resumable && state.CanResume ? GatewayRecovery.Resume : GatewayRecovery.Reidentify,
                        _reachedReady, null, $"invalid session (op 9, resumable {resumable})");
                default:
                    LogUnexpectedOp(payload.Op);
                    break;
            }
        }
    }

    private async Task OnDispatchAsync(GatewayPayload payload, CancellationToken cancellationToken)
    {
        if (payload.S is not { } seq || payload.T is not { } name)
        {
            return;
        }
        var data = payload.D ?? default;
        if (name == "READY")
        {
            var ready = data.Deserialize<Ready>(DiscordJson.Options)!;
            state.OnReady(ready.SessionId, ready.ResumeGatewayUrl, seq);
            _reachedReady = true;
            context.OnReady(ready);
        }
        else
        {
            if (name == "RESUMED")
            {
                _reachedReady = true;
            }
            if (!state.Advance(seq))
            {
                return;
            }
        }
        await dispatches.WriteAsync(new GatewayDispatch(name, seq, data.Clone()), cancellationToken).ConfigureAwait(false);
    }

    private async Task HeartbeatLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        // Jitter the first beat so many clients reconnecting at once do not beat in lockstep.
        var delay = interval * context.NextJitter();
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(delay, context.Time, cancellationToken).ConfigureAwait(false);
            if (_ackPending)
            {
                _zombie = true;
                LogZombie(interval.TotalMilliseconds);
                await socket.CloseForResumeAsync().ConfigureAwait(false);
                return;
            }
            try
            {
                await SendHeartbeatAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // The socket broke under us; the receive loop sees it too and reports the outcome.
                await socket.CloseForResumeAsync().ConfigureAwait(false);
                return;
            }
            delay = interval;
        }
    }

    private async Task SendHeartbeatAsync(CancellationToken cancellationToken)
    {
        _ackPending = true;
        int? seq = state.Sequence == 0 ? null : state.Sequence;
        await SendAsync(GatewayOpcode.Heartbeat, seq, cancellationToken).ConfigureAwait(false);
    }

    private Task SendAsync<T>(int op, T data, CancellationToken cancellationToken) =>
        socket.SendAsync(new GatewayPayload(op, JsonSerializer.SerializeToElement(data, DiscordJson.Options)), cancellationToken);

    private SessionOutcome Closed()
    {
        var code = socket.CloseStatus;
        return new SessionOutcome(GatewayCloseCodes.Classify(code), _reachedReady, code, $"server closed the connection ({code?.ToString() ?? "no code"})");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway heartbeat not acknowledged within {IntervalMs} ms; treating the connection as a zombie and resuming")]
    private partial void LogZombie(double intervalMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway sent unexpected op {Op}")]
    private partial void LogUnexpectedOp(int op);
}
