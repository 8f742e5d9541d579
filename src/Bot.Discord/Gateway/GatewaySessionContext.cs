using Bot.Discord.Api;

namespace Bot.Discord.Gateway;

/// <summary>Settings and counters shared by all connections of one gateway client.</summary>
internal sealed class GatewaySessionContext(DiscordOptions options, TimeProvider time, Random random)
{
    private readonly SemaphoreSlim _identifyLock = new(1, 1);
    private DateTimeOffset? _lastIdentify;

    public TimeProvider Time { get; } = time;
    public string Token { get; } = options.Token;
    public GatewaySendLimiter SendLimiter { get; } = new(options.GatewaySendBudget, options.GatewaySendWindow, time);

    public int IdentifyCount { get; private set; }
    public int ResumeCount { get; set; }
    public Ready? LastReady { get; private set; }

    public double NextJitter()
    {
        lock (random)
        {
            return random.NextDouble();
        }
    }

    /// <summary>Spaces Identify calls: Discord resets the token after 1,000 a day.</summary>
    public async Task WaitForIdentifySlotAsync(CancellationToken cancellationToken)
    {
        await _identifyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_lastIdentify is { } last)
            {
                var wait = last + options.IdentifyMinInterval - Time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
                }
            }
            _lastIdentify = Time.GetUtcNow();
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
