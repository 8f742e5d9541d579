using Bot.Discord.Api;

namespace Bot.Discord.Bot.Rendering;

/// <summary>A message body plus the files it attaches (files are sent only when the message is created).</summary>
public sealed record RenderedMessage(MessageCreate Message, IReadOnlyList<FileUpload> Files)
{
    public static RenderedMessage Of(MessageCreate message) => new(message, []);

    /// <summary>
    /// The same content as an edit. Attachments are left out, so the ones already on the message are
    /// kept (an observation never changes once the step exists).
    /// </summary>
    public MessageEdit ToEdit() => new()
    {
        Content = Message.Content ?? string.Empty,
        Embeds = new Optional<IReadOnlyList<Embed>?>(Message.Embeds ?? []),
        Components = new Optional<IReadOnlyList<Component>?>(Message.Components ?? []),
        AllowedMentions = AllowedMentions.None,
    };

    /// <summary>The callback that replaces the clicked message in place (type 7), attachments kept.</summary>
    public InteractionResponse ToUpdate() => InteractionResponse.UpdateMessage(Message with { Attachments = null, Nonce = null, EnforceNonce = null });

    public static MessageCreate Ephemeral(string content, IReadOnlyList<Component>? components = null) => new()
    {
        Content = Markdown.Truncate(content, 2000),
        Components = components,
        Flags = MessageFlags.Ephemeral,
        AllowedMentions = AllowedMentions.None,
    };
}
