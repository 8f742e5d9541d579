namespace Bot.Discord.Api;

public static class ChannelType
{
    public const int GuildText = 0;
    public const int PublicThread = 11;
    public const int PrivateThread = 12;
}

public sealed record ThreadMetadata(bool? Archived = null, int? AutoArchiveDuration = null, bool? Locked = null);

public sealed record Channel
{
    public required ulong Id { get; init; }
    public int Type { get; init; }
    public ulong? GuildId { get; init; }
    public string? Name { get; init; }
    public ulong? ParentId { get; init; }
    public ulong? OwnerId { get; init; }
    public ThreadMetadata? ThreadMetadata { get; init; }
}

/// <summary>Body of <c>POST /channels/{c}/messages/{m}/threads</c> (the thread id equals the message id).</summary>
public sealed record StartThreadFromMessage(string Name, int? AutoArchiveDuration = null, int? RateLimitPerUser = null);

/// <summary>
/// Body of <c>POST /channels/{c}/threads</c>. <see cref="Type"/> defaults to a public thread because
/// Discord's own default (when the field is absent) is a private thread.
/// </summary>
public sealed record StartThread(string Name, int Type = ChannelType.PublicThread, int? AutoArchiveDuration = null, bool? Invitable = null);
