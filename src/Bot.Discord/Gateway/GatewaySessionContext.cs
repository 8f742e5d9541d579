using Bot.Discord.Api;

namespace Bot.Discord.Gateway;

/// <summary>Settings and counters shared by all connections of one gateway client.</summary>
internal sealed class GatewaySessionContext(DiscordOptions options, TimeProvider time, Random random)
{
    private readonly SemaphoreSlim _identifyLock = new(1, 1);
    private DateTimeOffset? _lastIdentify;
    private readonly Queue<DateTimeOffset> _recentIdentifies = new();

    public TimeProvider Time { get; } = time;
    public string Token { get; } = options.Token;
    public GatewaySendLimiter SendLimiter { get; } = new(options.GatewaySendBudget, options.GatewaySendWindow, time);

    public int IdentifyCount { get; private set; }
    public int ResumeCount { get; set; }
    public Ready? LastReady { get; private set; }

    /// <summary>Identifies Discord accepts per <see cref="DiscordOptions.IdentifyConcurrencyWindow"/> (from GET /gateway/bot).</summary>
    public int MaxConcurrency { get; set; } = 1;

    public double NextJitter()
    {
        lock (random)
        {
            return random.NextDouble();
        }
    }

    /// <summary>
    /// Spaces Identify calls: at least <see cref="DiscordOptions.IdentifyMinInterval"/> apart (a
    /// failure loop must not burn the daily 1,000) and at most <see cref="MaxConcurrency"/> per
    /// concurrency window.
    /// </summary>
    public async Task WaitForIdentifySlotAsync(CancellationToken cancellationToken)
    {
        await _identifyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = Time.GetUtcNow();
            var wait = _lastIdentify is { } last ? last + options.IdentifyMinInterval - now : TimeSpan.Zero;
            // At most max_concurrency per window (Discord answers more with op 9).
            while (_recentIdentifies.Count > 0 && now - _recentIdentifies.Peek() >= options.IdentifyConcurrencyWindow)
            {
                _recentIdentifies.Dequeue();
            }
            if (_recentIdentifies.Count >= MaxConcurrency)
            {
                var windowWait = _recentIdentifies.ElementAt(_recentIdentifies.Count - MaxConcurrency) + options.IdentifyConcurrencyWindow - now;
                if (windowWait > wait) wait = windowWait;
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
            }
            _lastIdentify = Time.GetUtcNow();
            _recentIdentifies.Enqueue(_lastIdentify.Value);
            while (_recentIdentifies.Count > Math.Max(MaxConcurrency, 1)) _recentIdentifies.Dequeue();
            IdentifyCount++;
        }
        finally
        {
            _identifyLock.Release();
        }
    }

    public Identify CreateIdentify() =>
        new(Token, options.Intents, new IdentifyProperties(Environment.OSVersion.Platform.ToString().ToLowerInvariant(), "hitl-bot", "hitl-bot"));

    public void OnReady(Ready ready) => LastReady = ready;
}
