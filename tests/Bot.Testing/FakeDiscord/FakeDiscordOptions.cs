namespace Bot.Testing.FakeDiscord;

/// <summary>Knobs of the fake; defaults follow Discord, timings are shortened for tests.</summary>
public sealed class FakeDiscordOptions
{
    public string Token { get; set; } = "fake-bot-token";
    public ulong ApplicationId { get; set; } = 700_000_000_000_000_001;
    public ulong BotUserId { get; set; } = 700_000_000_000_000_001;
    public ulong GuildId { get; set; } = 710_000_000_000_000_001;

    /// <summary>Channels that exist at start (text channels in <see cref="GuildId"/>).</summary>
    public int InitialChannels { get; set; } = 3;

    public TimeSpan HelloInterval { get; set; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan InteractionDeadline { get; set; } = TimeSpan.FromSeconds(3);
    public TimeSpan FollowupTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The clock <see cref="InteractionDeadline"/> and <see cref="FollowupTokenLifetime"/> are
    /// measured on. The wall clock by default (the bot must answer within 3 real seconds); a test
    /// about the deadline itself gives a FakeTimeProvider and advances it past the deadline instead
    /// of shortening the deadline and sleeping past it.
    /// </summary>
    public TimeProvider InteractionClock { get; set; } = TimeProvider.System;

    /// <summary>Privileged intents (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) enabled in the "portal".</summary>
    public bool PrivilegedIntentsEnabled { get; set; } = true;

    /// <summary>Identifies allowed per 5 s (max_concurrency); more get op 9. 0 turns the check off.</summary>
    public int MaxIdentifiesPer5Seconds { get; set; }

    /// <summary>
    /// <c>session_start_limit.remaining</c> of GET /gateway/bot; null = 1000 minus the identifies so
    /// far. May be changed while the fake runs (read on every request).
    /// </summary>
    public int? SessionStartRemaining { get; set; }

    /// <summary><c>session_start_limit.reset_after</c> in milliseconds.</summary>
    public long SessionStartResetAfterMs { get; set; } = 86_400_000;

    /// <summary>Below this many shards Identify is closed with 4011 (sharding required).</summary>
    public int MinimumShardCount { get; set; } = 1;

    /// <summary><c>session_start_limit.max_concurrency</c>.</summary>
    public int SessionMaxConcurrency { get; set; } = 1;

    public int GatewaySendLimit { get; set; } = 120;
    public TimeSpan GatewaySendWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-route bucket size and window (Discord: roughly 5 per 5 s for messages).</summary>
    public int BucketLimit { get; set; } = 5;
    public TimeSpan BucketWindow { get; set; } = TimeSpan.FromSeconds(5);
    public int GlobalLimitPerSecond { get; set; } = 50;

    /// <summary>
    /// Validate every request body against Discord's OpenAPI spec (the docs' limits are always
    /// checked). Only load benchmarks turn it off: the schema evaluation costs the fake more CPU
    /// than the bot spends on the request, and on a 2-core machine that would be measured as the
    /// bot's latency.
    /// </summary>
    public bool ValidateAgainstSpec { get; set; } = true;

    /// <summary>Require <c>allowed_mentions: {"parse": []}</c> on every bot message that has content.</summary>
    public bool RequireNoMentions { get; set; } = true;
}
