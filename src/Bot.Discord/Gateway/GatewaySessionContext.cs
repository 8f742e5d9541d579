using Bot.Discord.Api;

namespace Bot.Discord.Gateway;

/// <summary>Settings and counters shared by all connections of one gateway client.</summary>
internal sealed class GatewaySessionContext(DiscordOptions options, TimeProvider time, Random random)
{
    private readonly Dictionary<int, IdentifyBucket> _buckets = [];
    private int _identifyCount;

    public TimeProvider Time { get; } = time;
    public string Token { get; } = options.Token;
    public GatewaySendLimiter SendLimiter { get; } = new(options.GatewaySendBudget, options.GatewaySendWindow, time);

    public int IdentifyCount => Volatile.Read(ref _identifyCount);
    private int _resumeCount;

    public int ResumeCount => Volatile.Read(ref _resumeCount);

    public void CountResume() => Interlocked.Increment(ref _resumeCount);
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
    /// Spaces Identify calls by Discord's rule: shards share a bucket by <c>shard_id % max_concurrency</c>
    /// (the rate limit key), and a bucket starts one session per <see cref="DiscordOptions.IdentifyConcurrencyWindow"/>.
    /// <see cref="DiscordOptions.IdentifyMinInterval"/> is a floor on that gap, so a failure loop never
    /// burns the daily 1,000. Buckets wait independently of each other.
    /// </summary>
    public async Task WaitForIdentifySlotAsync(int shardId, CancellationToken cancellationToken)
    {
        var bucket = Bucket(shardId % Math.Max(1, MaxConcurrency));
        await bucket.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var gap = options.IdentifyConcurrencyWindow > options.IdentifyMinInterval ? options.IdentifyConcurrencyWindow : options.IdentifyMinInterval;
            if (bucket.Last is { } last && last + gap - Time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
            }
            bucket.Last = Time.GetUtcNow();
            Interlocked.Increment(ref _identifyCount);
        }
        finally
        {
            bucket.Gate.Release();
        }
    }

    private IdentifyBucket Bucket(int key)
    {
        lock (_buckets)
        {
            if (!_buckets.TryGetValue(key, out var bucket)) _buckets[key] = bucket = new IdentifyBucket();
            return bucket;
        }
    }

    private sealed class IdentifyBucket
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset? Last { get; set; }
    }

    /// <summary>Identify; with more than one shard it names the shard as <c>[id, count]</c>.</summary>
    public Identify CreateIdentify(int shardId) =>
        new(Token, options.Intents, new IdentifyProperties(Environment.OSVersion.Platform.ToString().ToLowerInvariant(), "hitl-bot", "hitl-bot"),
            options.ShardCount > 1 ? [shardId, options.ShardCount] : null);

    public void OnReady(Ready ready) => LastReady = ready;
}
