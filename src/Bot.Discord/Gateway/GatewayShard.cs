using System.Threading.Channels;
using Bot.Core.Results;
using Bot.Discord.Api;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Gateway;

/// <summary>
/// One shard's connection, kept alive: connects, resumes or re-identifies as each ending requires,
/// backs off with jitter, and stops for good on fatal close codes. Every shard of a client writes
/// to the client's one dispatch channel.
/// </summary>
internal sealed partial class GatewayShard(
    int shardId,
    DiscordOptions options,
    IGatewaySocketFactory sockets,
    GatewaySessionContext context,
    Func<CancellationToken, Task<Result<string>>> gatewayUrl,
    ChannelWriter<GatewayDispatch> dispatches,
    ILogger logger)
{
    private readonly GatewaySessionState _state = new();

    public int ShardId { get; } = shardId;

    public GatewayStatus Status { get; private set; } = GatewayStatus.NotStarted;

    public int? FatalCloseCode { get; private set; }

    public int ConnectionCount { get; private set; }

    public string? SessionId => _state.SessionId;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var resume = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Status = GatewayStatus.Connecting;
                var url = resume && _state.ResumeUrl is { } resumeUrl ? Result<string>.Ok(resumeUrl) : await gatewayUrl(stoppingToken).ConfigureAwait(false);
                if (!url.IsSuccess)
                {
                    if (url.Error!.Code == Rest.DiscordErrors.UnauthorizedCode)
                    {
                        Fail(null, "GET /gateway/bot returned 401");
                        return;
                    }
                    LogGatewayUrlFailed(ShardId, url.Error.ToString());
                    await BackoffAsync(++failures, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                SessionOutcome outcome;
                try
                {
                    outcome = await ConnectOnceAsync(url.Value, resume, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A bug or an unexpected payload must not kill the connection loop for good.
                    LogSessionCrashed(ex, ShardId);
                    outcome = new SessionOutcome(_state.CanResume ? GatewayRecovery.Resume : GatewayRecovery.Reidentify, false, null, $"session failed: {ex.GetType().Name}");
                }
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                if (outcome.Recovery == GatewayRecovery.Fatal)
                {
                    Fail(outcome.CloseCode, outcome.Reason);
                    return;
                }
                resume = outcome.Recovery == GatewayRecovery.Resume && _state.CanResume;
                if (!resume)
                {
                    _state.Clear();
                }
                LogReconnecting(ShardId, outcome.Reason, resume ? "resume" : "identify");
                failures = outcome.ReachedReady ? 0 : failures + 1;
                if (failures > 0)
                {
                    await BackoffAsync(failures, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown, or the shard's lease moved to another process.
        }
        Status = GatewayStatus.Stopped;
    }

    private async Task<SessionOutcome> ConnectOnceAsync(string url, bool resume, CancellationToken stoppingToken)
    {
        var uri = new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri;
        GatewaySocket socket;
        try
        {
            socket = new GatewaySocket(await sockets.ConnectAsync(uri, stoppingToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return new SessionOutcome(resume ? GatewayRecovery.Resume : GatewayRecovery.Reidentify, false, null, $"connect failed: {ex.Message}");
        }

        await using (socket.ConfigureAwait(false))
        {
            ConnectionCount++;
            Status = GatewayStatus.Connected;
            var session = new GatewaySession(socket, _state, context, ShardId, dispatches, logger);
            try
            {
                return await session.RunAsync(resume, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    await socket.CloseNormallyAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private Task BackoffAsync(int failures, CancellationToken cancellationToken)
    {
        var baseMs = options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(baseMs, options.ReconnectMaxDelay.TotalMilliseconds);
        // +/- 25% jitter so a fleet of clients does not reconnect in step.
        var jittered = capped * (0.75 + 0.5 * context.NextJitter());
        return Task.Delay(TimeSpan.FromMilliseconds(jittered), context.Time, cancellationToken);
    }

    private void Fail(int? closeCode, string reason)
    {
        FatalCloseCode = closeCode;
        Status = GatewayStatus.Failed;
        LogFatal(ShardId, closeCode is { } c ? GatewayCloseCodes.Describe(c) : reason, closeCode);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway shard {Shard}: connection ended ({Reason}); reconnecting with {Mode}")]
    private partial void LogReconnecting(int shard, string reason, string mode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway shard {Shard}: session failed unexpectedly; reconnecting")]
    private partial void LogSessionCrashed(Exception exception, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway shard {Shard}: could not get the gateway URL: {Error}")]
    private partial void LogGatewayUrlFailed(int shard, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway shard {Shard} stopped for good: {Reason} (close code {CloseCode}). Not retrying; fix the configuration and restart")]
    private partial void LogFatal(int shard, string reason, int? closeCode);
}
