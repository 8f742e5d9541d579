using System.Threading.Channels;
using Bot.Core.Results;
using Bot.Discord.Api;
using Bot.Discord.Rest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Gateway;

public enum GatewayStatus
{
    NotStarted,
    Connecting,
    Connected,
    Stopped,
    Failed,
}

/// <summary>
/// Keeps one gateway connection alive: connects, resumes or re-identifies as each ending requires,
/// backs off with jitter, and stops for good on fatal close codes. Dispatches come out of
/// <see cref="Dispatches"/> in order, each once.
/// </summary>
public sealed partial class DiscordGatewayClient : BackgroundService
{
    private readonly DiscordOptions _options;
    private readonly DiscordApplicationApi _api;
    private readonly IGatewaySocketFactory _sockets;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly System.Threading.Channels.Channel<GatewayDispatch> _channel;
    private readonly GatewaySessionState _state = new();
    private readonly GatewaySessionContext _context;

    public DiscordGatewayClient(
        IOptions<DiscordOptions> options,
        DiscordApplicationApi api,
        IGatewaySocketFactory sockets,
        TimeProvider time,
        ILogger<DiscordGatewayClient> logger,
        Random? random = null)
    {
        _options = options.Value;
        _api = api;
        _sockets = sockets;
        _time = time;
        _logger = logger;
        _random = random ?? new Random();
        _context = new GatewaySessionContext(_options, time, _random);
        _channel = System.Threading.Channels.Channel.CreateBounded<GatewayDispatch>(new BoundedChannelOptions(_options.DispatchQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<GatewayDispatch> Dispatches => _channel.Reader;

    public GatewayStatus Status { get; private set; } = GatewayStatus.NotStarted;

    /// <summary>Set when the client stopped on a fatal close code.</summary>
    public int? FatalCloseCode { get; private set; }

    public int IdentifyCount => _context.IdentifyCount;

    public int ResumeCount => _context.ResumeCount;

    public int ConnectionCount { get; private set; }

    public string? SessionId => _state.SessionId;

    public Ready? LastReady => _context.LastReady;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var resume = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Status = GatewayStatus.Connecting;
                var url = resume && _state.ResumeUrl is { } resumeUrl ? Result<string>.Ok(resumeUrl) : await GetGatewayUrlAsync(stoppingToken).ConfigureAwait(false);
                if (!url.IsSuccess)
                {
                    if (url.Error!.Code == DiscordErrors.UnauthorizedCode)
                    {
                        Fail(null, "GET /gateway/bot returned 401");
                        return;
                    }
                    LogGatewayUrlFailed(url.Error.ToString());
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
                    LogSessionCrashed(ex);
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
                LogReconnecting(outcome.Reason, resume ? "resume" : "identify");
                failures = outcome.ReachedReady ? 0 : failures + 1;
                if (failures > 0)
                {
                    await BackoffAsync(failures, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        Status = GatewayStatus.Stopped;
    }

    private async Task<SessionOutcome> ConnectOnceAsync(string url, bool resume, CancellationToken stoppingToken)
    {
        var builder = new UriBuilder(url) { Query = "v=10&encoding=json" };
        var uri = builder.Uri;
        GatewaySocket socket;
        try
        {
            socket = new GatewaySocket(await _sockets.ConnectAsync(uri, stoppingToken).ConfigureAwait(false));
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
            var session = new GatewaySession(socket, _state, _context, _channel.Writer, _logger);
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

    /// <summary>
    /// Before every new session (an Identify): GET /gateway/bot for the URL and, above all, the
    /// session start limit. With no identifies left the client waits for the reset with a critical
    /// log line, because going over resets the bot token. <c>max_concurrency</c> goes to the
    /// context, which spaces the Identify itself. A configured <see cref="DiscordOptions.GatewayUrl"/>
    /// skips the call (tests, a gateway proxy); then only the identify interval applies.
    /// </summary>
    private async Task<Result<string>> GetGatewayUrlAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(_options.GatewayUrl))
        {
            return _options.GatewayUrl;
        }
        while (true)
        {
            var bot = await _api.GetGatewayBotAsync(cancellationToken).ConfigureAwait(false);
            if (!bot.IsSuccess)
            {
                return bot.Error!;
            }
            if (bot.Value.SessionStartLimit is not { } limit)
            {
                return bot.Value.Url;
            }
            if (limit.Remaining > 0)
            {
                _context.MaxConcurrency = Math.Max(1, limit.MaxConcurrency);
                return bot.Value.Url;
            }
            // At least a second: a wrong answer (0 left, reset now) must not turn into a request loop.
            var wait = TimeSpan.FromMilliseconds(Math.Max(limit.ResetAfter, 1000));
            var delay = Task.Delay(wait, _time, cancellationToken);
            SessionStartWaits++;
            LogSessionStartsExhausted(limit.Total, wait.TotalSeconds);
            await delay.ConfigureAwait(false);
        }
    }

    /// <summary>How often the client waited for the session start limit to reset (diagnostics, tests).</summary>
    public int SessionStartWaits { get; private set; }

    private Task BackoffAsync(int failures, CancellationToken cancellationToken)
    {
        var baseMs = _options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(baseMs, _options.ReconnectMaxDelay.TotalMilliseconds);
        // +/- 25% jitter so a fleet of clients does not reconnect in step.
        var jittered = capped * (0.75 + 0.5 * _context.NextJitter());
        return Task.Delay(TimeSpan.FromMilliseconds(jittered), _time, cancellationToken);
    }

    private void Fail(int? closeCode, string reason)
    {
        FatalCloseCode = closeCode;
        Status = GatewayStatus.Failed;
        LogFatal(closeCode is { } c ? GatewayCloseCodes.Describe(c) : reason, closeCode);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway connection ended ({Reason}); reconnecting with {Mode}")]
    private partial void LogReconnecting(string reason, string mode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway session failed unexpectedly; reconnecting")]
    private partial void LogSessionCrashed(Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord allows no more gateway sessions for now (0 of {Total} identifies left); waiting {WaitSeconds} s for the limit to reset instead of identifying, since going over resets the bot token")]
    private partial void LogSessionStartsExhausted(int total, double waitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not get the gateway URL: {Error}")]
    private partial void LogGatewayUrlFailed(string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway stopped for good: {Reason} (close code {CloseCode}). Not retrying; fix the configuration and restart")]
    private partial void LogFatal(string reason, int? closeCode);
}
