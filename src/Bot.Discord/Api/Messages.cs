namespace Bot.Discord.Api;

/// <summary>Message flags the bot uses.</summary>
[Flags]
public enum MessageFlags
{
    None = 0,
    SuppressEmbeds = 1 << 2,
    Ephemeral = 1 << 6,
    SuppressNotifications = 1 << 12,
    IsComponentsV2 = 1 << 15,
}

/// <summary><c>allowed_mentions</c>; <see cref="None"/> is what every message with model or user text uses.</summary>
public sealed record AllowedMentions(
    IReadOnlyList<string> Parse,
    IReadOnlyList<ulong>? Users = null,
    IReadOnlyList<ulong>? Roles = null,
    bool? RepliedUser = null)
{
    public static AllowedMentions None { get; } = new(Array.Empty<string>());
}

public sealed record EmbedField(string Name, string Value, bool? Inline = null);

public sealed record EmbedFooter(string Text, string? IconUrl = null);

public sealed record EmbedAuthor(string Name, string? Url = null, string? IconUrl = null);

public sealed record EmbedMedia(string Url, int? Width = null, int? Height = null);

public sealed record Embed
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public int? Color { get; init; }
    public string? Timestamp { get; init; }
    public EmbedFooter? Footer { get; init; }
    public EmbedAuthor? Author { get; init; }
    public EmbedMedia? Image { get; init; }
    public EmbedMedia? Thumbnail { get; init; }
    public IReadOnlyList<EmbedField>? Fields { get; init; }
}

/// <summary>An attachment entry in a request's <c>attachments</c> (id n matches part <c>files[n]</c>; existing ones use their snowflake).</summary>
public sealed record AttachmentReference(ulong Id, string? Filename = null, string? Description = null);

/// <summary>A file to upload with a message; not serialized, sent as a multipart part.</summary>
public sealed record FileUpload(string FileName, ReadOnlyMemory<byte> Content, string ContentType = "application/octet-stream", string? Description = null);

public sealed record MessageReference(ulong MessageId, ulong? ChannelId = null, bool? FailIfNotExists = null);

/// <summary>Body of <c>POST /channels/{id}/messages</c>, follow-ups, and interaction message responses.</summary>
public sealed record MessageCreate
{
    public string? Content { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public IReadOnlyList<Component>? Components { get; init; }
    public AllowedMentions? AllowedMentions { get; init; } = AllowedMentions.None;
    public IReadOnlyList<AttachmentReference>? Attachments { get; init; }
    public MessageFlags? Flags { get; init; }
    public string? Nonce { get; init; }
    public bool? EnforceNonce { get; init; }
    public MessageReference? MessageReference { get; init; }
}

/// <summary>
/// Body of message PATCH routes. Absent fields are left alone; a present null clears the field
/// (for <c>attachments</c>, the list is every attachment to keep plus the new ones).
/// </summary>
public sealed record MessageEdit
{
    public Optional<string?> Content { get; init; }
    public Optional<IReadOnlyList<Embed>?> Embeds { get; init; }
    public Optional<IReadOnlyList<Component>?> Components { get; init; }
    public Optional<AllowedMentions?> AllowedMentions { get; init; } = Api.AllowedMentions.None;
    public Optional<IReadOnlyList<AttachmentReference>?> Attachments { get; init; }
    public Optional<MessageFlags?> Flags { get; init; }
}

public sealed record User
{
    public required ulong Id { get; init; }
    public string? Username { get; init; }
    public string? GlobalName { get; init; }
    public string? Discriminator { get; init; }
    public bool? Bot { get; init; }
}

public sealed record Attachment
{
    public required ulong Id { get; init; }
    public string? Filename { get; init; }
    public string? Description { get; init; }
    public string? ContentType { get; init; }
    public long? Size { get; init; }
    public string? Url { get; init; }
}

/// <summary>A message as Discord returns it (REST responses, MESSAGE_CREATE, interaction <c>message</c>).</summary>
public sealed record Message
{
    public required ulong Id { get; init; }
    public required ulong ChannelId { get; init; }
    public ulong? GuildId { get; init; }
    public User? Author { get; init; }
    public string? Content { get; init; }
    public string? Timestamp { get; init; }
    public string? EditedTimestamp { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public IReadOnlyList<Component>? Components { get; init; }
    public IReadOnlyList<Attachment>? Attachments { get; init; }
    public MessageFlags? Flags { get; init; }
    public int? Type { get; init; }
    public MessageReference? MessageReference { get; init; }
    public GuildMember? Member { get; init; }
    public System.Text.Json.JsonElement? Nonce { get; init; }
}
