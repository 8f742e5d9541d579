namespace Bot.Discord.Gateway;

/// <summary>What to do after a connection ends.</summary>
public enum GatewayRecovery
{
    /// <summary>Open a new socket to the resume URL and send Resume.</summary>
    Resume,

    /// <summary>Drop the session and Identify again.</summary>
    Reidentify,

    /// <summary>Stop: retrying cannot help (bad token, sharding, version or intents).</summary>
    Fatal,
}

/// <summary>The one place that maps gateway close codes to a recovery (PROTOCOL.md section 1).</summary>
public static class GatewayCloseCodes
{
    public const int UnknownError = 4000;
    public const int AuthenticationFailed = 4004;
    public const int InvalidSeq = 4007;
    public const int SessionTimedOut = 4009;
    public const int DisallowedIntents = 4014;

    /// <summary>Null means the connection dropped without a close frame, which is resumable.</summary>
    public static GatewayRecovery Classify(int? closeCode) => closeCode switch
    {
        4004 or 4010 or 4011 or 4012 or 4013 or 4014 => GatewayRecovery.Fatal,
        4007 or 4009 => GatewayRecovery.Reidentify,
        // 1000/1001 from the server end the session on Discord's side too.
        1000 or 1001 => GatewayRecovery.Reidentify,
        _ => GatewayRecovery.Resume,
    };

    public static string Describe(int closeCode) => closeCode switch
    {
        4004 => "authentication failed: the bot token is wrong or was reset",
        4010 => "invalid shard",
        4011 => "sharding required: the bot is in too many guilds for one shard",
        4012 => "invalid API version",
        4013 => "invalid intents: Discord:Intents has bits Discord does not know",
        4014 => "disallowed intents: enable the privileged intents in the Developer Portal (Bot > Privileged Gateway Intents) or remove them from Discord:Intents",
        _ => $"close code {closeCode}",
    };
}
