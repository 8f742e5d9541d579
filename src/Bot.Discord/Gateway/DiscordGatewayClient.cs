using System.Globalization;
using System.Threading.Channels;
using Bot.Core.Ports;
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
/// Runs this process's gateway shards (<c>Discord:ShardCount</c>, <c>Discord:Shards</c>), one
/// <see cref="GatewayShard"/> connection each. With <see cref="IGatewayShardLeases"/> (several
/// processes on one database) a process runs only the shards it holds a lease on, renewing it on a
/// timer, and takes over the shards of a process whose lease expired. Dispatches of every shard come
/// out of <see cref="Dispatches"/>, each once, in order per shard.
/// </summary>
public sealed partial class DiscordGatewayClient : BackgroundService
{
    private readonly DiscordOptions _options;
    private readonly DiscordApplicationApi _api;
    private readonly IGatewaySocketFactory _sockets;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly IGatewayShardLeases? _leases;
    private readonly System.Threading.Channels.Channel<GatewayDispatch> _channel;
    private readonly GatewaySessionContext _context;
    private readonly IReadOnlyList<int> _wanted;
    private readonly Dictionary<int, (GatewayShard Shard, CancellationTokenSource Stop, Task Running)> _running = [];

    public DiscordGatewayClient(
        IOptions<DiscordOptions> options,
        DiscordApplicationApi api,
        IGatewaySocketFactory sockets,
        TimeProvider time,
        ILogger<DiscordGatewayClient> logger,
        IGatewayShardLeases? leases = null,
        Random? random = null)
    {
        _options = options.Value;
        _api = api;
        _sockets = sockets;
        _time = time;
        _logger = logger;
        _leases = leases;
        _context = new GatewaySessionContext(_options, time, random ?? new Random());
        _wanted = ShardSelection.Parse(_options.Shards, _options.ShardCount).Shards;
        _channel = System.Threading.Channels.Channel.CreateBounded<GatewayDispatch>(new BoundedChannelOptions(_options.DispatchQueueCapacity)
        {
            SingleWriter = _wanted.Count == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>This process's name in the shard leases.</summary>
    public string Owner { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");

    public ChannelReader<GatewayDispatch> Dispatches => _channel.Reader;

    /// <summary>The shards this process runs now, ascending.</summary>
    public IReadOnlyList<int> RunningShards
    {
        get
        {
            lock (_running)
            {
                return _running.Keys.Order().ToList();
            }
        }
    }

    /// <summary>The status of the lowest shard this process runs (of its only one, unsharded).</summary>
    public GatewayStatus Status => First()?.Status ?? (_stopped ? GatewayStatus.Stopped : GatewayStatus.NotStarted);

    /// <summary>Set when the (lowest) shard stopped on a fatal close code.</summary>
    public int? FatalCloseCode => First()?.FatalCloseCode;

    public string? SessionId => First()?.SessionId;

    public int IdentifyCount => _context.IdentifyCount;

    public int ResumeCount => _context.ResumeCount;

    public int ConnectionCount
    {
        get
        {
            lock (_running)
            {
                return _retiredConnections + _running.Values.Sum(r => r.Shard.ConnectionCount);
            }
        }
    }

    public Ready? LastReady => _context.LastReady;

    private int _leaseRounds;

    /// <summary>Lease renewals and claims answered by the database so far (diagnostics, tests).</summary>
    public int LeaseRounds => Volatile.Read(ref _leaseRounds);

    // Connections of shards this process no longer runs (their lease moved), for ConnectionCount.
    private int _retiredConnections;
    private volatile bool _stopped;

    private GatewayShard? First()
    {
        lock (_running)
        {
            return _running.OrderBy(r => r.Key).Select(r => r.Value.Shard).FirstOrDefault();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (_leases is null)
            {
                Adopt(_wanted, stoppingToken);
                await Task.WhenAll(RunningTasks()).ConfigureAwait(false);
                return;
            }
            await HoldLeasesAsync(_leases, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await StopAllAsync().ConfigureAwait(false);
            _stopped = true;
        }
    }

    /// <summary>
    /// Every third of the lease: renew and claim, start the shards gained, stop the ones lost. A shard
    /// that stopped on a fatal close code stays held, so that no other process loops into the same
    /// configuration error. When
    /// renewing fails for two thirds of the lease, this process stops its shards itself, before
    /// another process may take them over (two sessions on one shard would handle every event twice).
    /// </summary>
    private async Task HoldLeasesAsync(IGatewayShardLeases leases, CancellationToken stoppingToken)
    {
        var lease = _options.ShardLeaseDuration;
        var lastRenewed = _time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var held = await leases.HoldAsync(Owner, _options.ShardCount, _wanted, lease, stoppingToken).ConfigureAwait(false);
                    lastRenewed = _time.GetUtcNow();
                    Interlocked.Increment(ref _leaseRounds);
                    await StopAsync(TakeOutAllBut(held)).ConfigureAwait(false);
                    Adopt(held, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogLeaseFailed(ex);
                    if (_time.GetUtcNow() - lastRenewed >= lease * 2 / 3) await StopAsync(TakeOutAllBut([])).ConfigureAwait(false);
                }
                await Task.Delay(lease / 3, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        await StopAllAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.ReleaseAsync(Owner, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The leases then simply expire.
            LogLeaseFailed(ex);
        }
    }

    private void Adopt(IReadOnlyList<int> shards, CancellationToken stoppingToken)
    {
        lock (_running)
        {
            foreach (var id in shards)
            {
                if (_running.ContainsKey(id)) continue;
                var shard = new GatewayShard(id, _options, _sockets, _context, GetGatewayUrlAsync, _channel.Writer, _logger);
                var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _running[id] = (shard, stop, Task.Run(() => shard.RunAsync(stop.Token), CancellationToken.None));
                LogShardStarted(id, _options.ShardCount);
            }
        }
    }

    private List<Task> RunningTasks()
    {
        lock (_running)
        {
            return _running.Values.Select(r => r.Running).ToList();
        }
    }

    /// <summary>Takes the shards not in <paramref name="kept"/> out of the table, for <see cref="StopAsync"/>.</summary>
    private List<(CancellationTokenSource Stop, Task Running)> TakeOutAllBut(IReadOnlyList<int> kept)
    {
        lock (_running)
        {
            var leaving = _running.Where(r => !kept.Contains(r.Key)).ToList();
            foreach (var (id, (shard, _, _)) in leaving)
            {
                _running.Remove(id);
                _retiredConnections += shard.ConnectionCount;
                LogShardStopped(id);
            }
            return leaving.Select(r => (r.Value.Stop, r.Value.Running)).ToList();
        }
    }

    private static async Task StopAsync(List<(CancellationTokenSource Stop, Task Running)> shards)
    {
        foreach (var (stop, _) in shards) await stop.CancelAsync().ConfigureAwait(false);
        foreach (var (stop, running) in shards)
        {
            await running.ConfigureAwait(false);
            stop.Dispose();
        }
    }

    private Task StopAllAsync()
    {
        List<(CancellationTokenSource, Task)> all;
        lock (_running)
        {
            // Shards that ended (fatal) stay listed for their status; only live ones are stopped.
            all = _running.Values.Where(r => !r.Running.IsCompleted).Select(r => (r.Stop, r.Running)).ToList();
        }
        return StopAsync(all);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway shard {Shard} of {ShardCount} started in this process")]
    private partial void LogShardStarted(int shard, int shardCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway shard {Shard} stopped in this process (its lease moved or could not be renewed)")]
    private partial void LogShardStopped(int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew or claim gateway shard leases")]
    private partial void LogLeaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord allows no more gateway sessions for now (0 of {Total} identifies left); waiting {WaitSeconds} s for the limit to reset instead of identifying, since going over resets the bot token")]
    private partial void LogSessionStartsExhausted(int total, double waitSeconds);
}
