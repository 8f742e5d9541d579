using Bot.Discord.Api;
using Bot.Discord.Bot.Rendering;

namespace Bot.Discord.Bot.Interactions;

/// <summary>
/// How to answer one interaction: the first response (due within 3 s), then optionally an ephemeral
/// follow-up, a deferred result that replaces the "thinking" response, and work done after answering.
/// </summary>
public sealed record InteractionAnswer(InteractionResponse Response)
{
    public IReadOnlyList<FileUpload>? Files { get; init; }

    /// <summary>An ephemeral follow-up sent after the response (e.g. the confirmation of a retry or re-run).</summary>
    public MessageCreate? FollowUp { get; init; }

    /// <summary>For deferred responses: produces the text (and any files, attached to the original message) that replace the deferral.</summary>
    public Func<CancellationToken, Task<DeferredReply>>? Deferred { get; init; }

    /// <summary>What replaces the deferral when producing it failed.</summary>
    public string DeferredFailure { get; init; } = "Something went wrong on the bot's side; nothing was changed.";

    /// <summary>Side work after the answer is out (e.g. refresh the step message through REST).</summary>
    public Func<CancellationToken, Task>? After { get; init; }

    public static InteractionAnswer Ephemeral(string text, IReadOnlyList<Component>? components = null) =>
        new(InteractionResponse.Message(RenderedMessage.Ephemeral(text, components), ephemeral: true));

    public static InteractionAnswer Panel(MessageCreate panel) => new(InteractionResponse.Message(panel, ephemeral: true));

    public static InteractionAnswer Update(MessageCreate message) => new(InteractionResponse.UpdateMessage(message));

    public static InteractionAnswer DeferEphemeral(Func<CancellationToken, Task<string>> work) =>
        new(InteractionResponse.Defer(ephemeral: true))
        {
            Deferred = async ct => new DeferredReply(await work(ct).ConfigureAwait(false), []),
            // A text answer reports on a command that may have run part way.
            DeferredFailure = "Something went wrong on the bot's side. Check /run status before trying again.",
        };

    public static InteractionAnswer DeferEphemeral(Func<CancellationToken, Task<DeferredReply>> work) =>
        new(InteractionResponse.Defer(ephemeral: true)) { Deferred = work };
}

/// <summary>A deferred answer with attachments.</summary>
public sealed record DeferredReply(string Text, IReadOnlyList<FileUpload> Files);
