using System.ComponentModel.DataAnnotations;

namespace Bot.Discord;

/// <summary>
/// The <c>Discord</c> section (env: <c>Discord__Token</c> etc.), the one class that binds it: the
/// client's connection settings, where the bot works and who may do what, and where links point.
/// The client validates its own keys; <c>AddDiscordBot</c> adds the checks of the bot's keys (a
/// REST-only tool needs no guild).
/// </summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Discord";

    /// <summary>The guild whose slash commands are overwritten at start; also the guild of message links.</summary>
    public ulong GuildId { get; set; }

    /// <summary>Text channel in which run threads are opened.</summary>
    public ulong RunsChannelId { get; set; }

    /// <summary>Digests and alerts; unset (or 0) = no digest is posted.</summary>
    public ulong? TeamChannelId { get; set; }

    /// <summary>Roles that may start and steer runs (and also vote).</summary>
    public List<ulong> ResearcherRoleIds { get; set; } = [];

    /// <summary>Roles that may vote, propose, rate and tag; reminders ping them.</summary>
    public List<ulong> ContractorRoleIds { get; set; } = [];

    /// <summary>Tags offered on the Tag panel (lower-case, digits, '-' or '_'; at most 25).</summary>
    [MaxLength(25)]
    public List<string> TagTaxonomy { get; set; } =
    [
        "planning", "coding", "information-gathering", "self-correction",
        "hallucination", "tool-misuse", "stuck-loop", "refusal",
    ];

    /// <summary>Replies to a step message become proposals (needs the MESSAGE_CONTENT intent).</summary>
    public bool ReplyProposals { get; set; } = true;

    /// <summary>Register the guild's slash commands when the bot starts.</summary>
    public bool RegisterCommands { get; set; } = true;

    /// <summary>Base of message links (<c>{WebBaseUrl}/channels/{guild}/{channel}/{message}</c>).</summary>
    [Required, Url]
    public string WebBaseUrl { get; set; } = "https://discord.com";

    /// <summary>The bot token (without the "Bot " prefix). Required to run; never logged.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Token { get; set; } = string.Empty;

    [Required, Url]
    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10";

    /// <summary>Overrides the URL from <c>GET /gateway/bot</c>.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>Gateway intents; 513 = GUILDS | GUILD_MESSAGES.</summary>
    [Range(0, int.MaxValue)]
    public int Intents { get; set; } = 513;

    /// <summary>Read from <c>GET /applications/@me</c> when absent.</summary>
    public ulong? ApplicationId { get; set; }

    /// <summary>Used in the required <c>User-Agent: DiscordBot (url, version)</c>.</summary>
    public string UserAgentUrl { get; set; } = "https://github.com/example/hitl-bot";

    public string UserAgentVersion { get; set; } = "1.0";

    /// <summary>Discord's global cap is 50/s; interaction callbacks and interaction webhooks are exempt.</summary>
    [Range(1, 10_000)]
    public int GlobalRequestsPerSecond { get; set; } = 50;

    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Wait used when a bucket is exhausted but its reset time is not yet known.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan UnknownResetWait { get; set; } = TimeSpan.FromMilliseconds(750);

    /// <summary>
    /// Invalid requests (401/403/429) per 10 minutes past which the client warns and slows down
    /// (see <see cref="InvalidRequestSlowdownInterval"/>); Discord bans the IP at 10,000.
    /// </summary>
    [Range(1, 10_000)]
    public int InvalidRequestWarningThreshold { get; set; } = 8_000;

    /// <summary>
    /// Past the threshold, requests other than interaction answers go out at most one per this
    /// interval. At 1 s that is 600 per 10 minutes, so the 2,000 left before the ban cannot be used
    /// up inside one window; interaction answers are not slowed (they are due within 3 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan InvalidRequestSlowdownInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Discord's window for <c>max_concurrency</c> Identifies (5 s); shortened only by tests.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan IdentifyConcurrencyWindow { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum gap between two Identify calls, so a failure loop never burns the daily 1,000.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan IdentifyMinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sent events per 60 s. Discord closes at 120; 3 are left for heartbeats.</summary>
    [Range(1, 120)]
    public int GatewaySendBudget { get; set; } = 117;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan GatewaySendWindow { get; set; } = TimeSpan.FromSeconds(60);

    [Range(1, 100_000)]
    public int DispatchQueueCapacity { get; set; } = 1_000;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Dispatches handled at once. Handlers mostly wait on PostgreSQL and Discord, and a click's
    /// answer is due within 3 s, so this is well above the core count. Measured with the
    /// interactions benchmark: a standing queue at 8, and at 32 a vote burst of 500 clicks/s spent
    /// most of its time waiting for a slot (dispatch wait 1.3-2.7 s against a 50-90 ms answer);
    /// 128 removed that queue. A slot holds no connection while it waits on group commit.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentHandlers { get; set; } = 128;

    /// <summary>
    /// Gateway shards of the whole bot (Discord routes guild g to shard <c>(g &gt;&gt; 22) % ShardCount</c>,
    /// DMs to shard 0). 1 = no sharding (Identify then carries no shard).
    /// </summary>
    [Range(1, 4096)]
    public int ShardCount { get; set; } = 1;

    /// <summary>Shards this process may run, e.g. <c>0-3</c> or <c>0,2</c>; empty = all.</summary>
    public string? Shards { get; set; }

    /// <summary>
    /// How long a process's claim on a shard lasts without renewal (renewed every third of it).
    /// When several processes share one database, a shard whose process died is taken over by
    /// another after at most this long (plus a third, the renewal interval); a bot restarted after a
    /// crash waits as long for its old claim. Each renewal is one small upsert.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "00:10:00")]
    public TimeSpan ShardLeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether the gateway connects at host start (off for REST-only tools).</summary>
    public bool ConnectGateway { get; set; } = true;

    public const string InsecureApiBaseUrl =
        "Discord:ApiBaseUrl must use https:// (the bot token is sent with every request); http:// is allowed only for a loopback host such as 127.0.0.1 or localhost (a local test server).";

    public const string InsecureGatewayUrl =
        "Discord:GatewayUrl must use wss:// (the bot token is sent on Identify); ws:// is allowed only for a loopback host such as 127.0.0.1 or localhost (a local test server).";

    /// <summary>True for an absolute <paramref name="secureScheme"/> URL, or any absolute URL whose host is loopback.</summary>
    public static bool IsSecureOrLoopback(string? url, string secureScheme) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (string.Equals(uri.Scheme, secureScheme, StringComparison.OrdinalIgnoreCase) || uri.IsLoopback);
}
