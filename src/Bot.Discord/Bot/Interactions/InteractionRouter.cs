using System.Diagnostics;
using Bot.Discord.Api;
using Bot.Discord.Bot.Commands;
using Bot.Discord.Bot.Rendering;
using Bot.Discord.Rest;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Bot.Interactions;

/// <summary>
/// Routes an interaction to its handler and sends the answer: the response first (the handler has
/// already stored what it had to), then the follow-up, the deferred result and the after-work. A
/// response Discord refuses as already acknowledged means a re-delivered interaction: the rest is skipped.
/// </summary>
public sealed partial class InteractionRouter(
    ComponentHandler components,
    ModalHandler modals,
    TaskCommandHandler taskCommands,
    RunCommandHandler runCommands,
    ExportCommandHandler exportCommands,
    AutocompleteHandler autocomplete,
    WebCommandHandler webCommand,
    DiscordInteractionsApi api,
    ILogger<InteractionRouter> logger)
{
    public async Task HandleAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginScope("interaction {InteractionId}", interaction.Id);
        if (interaction.Invoker is null) return;
        InteractionAnswer answer;
        var started = Stopwatch.GetTimestamp();
        try
        {
            answer = await AnswerAsync(interaction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandlerFailed(ex, interaction.Type, interaction.Data?.CustomId ?? interaction.Data?.Name);
            answer = InteractionAnswer.Ephemeral("Something went wrong on the bot's side; nothing was changed by this click. Try again, and tell a researcher if it persists.");
        }
        BotMetrics.InteractionAnswer.Record(BotMetrics.Since(started));
        await SendAsync(interaction, answer, cancellationToken).ConfigureAwait(false);
    }

    public Task<InteractionAnswer> AnswerAsync(Interaction interaction, CancellationToken cancellationToken = default) => interaction.Type switch
    {
        InteractionType.MessageComponent => components.HandleAsync(interaction, cancellationToken),
        InteractionType.ModalSubmit => modals.HandleAsync(interaction, cancellationToken),
        InteractionType.ApplicationCommandAutocomplete => autocomplete.HandleAsync(interaction, cancellationToken),
        InteractionType.ApplicationCommand => CommandAsync(interaction, cancellationToken),
        _ => Task.FromResult(InteractionAnswer.Ephemeral("This kind of interaction is not supported.")),
    };

    private Task<InteractionAnswer> CommandAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        var options = CommandOptions.From(interaction.Data);
        return options.Name switch
        {
            SlashCommands.Web => Task.FromResult(webCommand.Handle(interaction)),
            SlashCommands.Run => runCommands.HandleAsync(interaction, options, cancellationToken),
            SlashCommands.Export => exportCommands.HandleAsync(interaction, options, cancellationToken),
            _ => taskCommands.HandleAsync(interaction, options, cancellationToken),
        };
    }

    private async Task SendAsync(Interaction interaction, InteractionAnswer answer, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var sent = await api.RespondAsync(interaction.Id, interaction.Token, answer.Response, files: answer.Files, cancellationToken: cancellationToken).ConfigureAwait(false);
        BotMetrics.InteractionCallback.Record(BotMetrics.Since(started));
        if (sent.Error is { } error)
        {
            if (error.Is(DiscordErrors.InteractionAlreadyAcknowledged) || error.Is(DiscordErrors.UnknownInteraction))
                LogAlreadyAnswered(interaction.Id, error.Code);
            else
                LogResponseFailed(interaction.Id, error.ToString());
            return;
        }
        started = Stopwatch.GetTimestamp();
        try
        {
            await AfterCallbackAsync(interaction, answer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            BotMetrics.InteractionAfter.Record(BotMetrics.Since(started));
        }
    }

    /// <summary>The follow-up, deferred results and after-work of an answer whose response Discord accepted.</summary>
    private async Task AfterCallbackAsync(Interaction interaction, InteractionAnswer answer, CancellationToken cancellationToken)
    {
        if (answer.Deferred is { } deferred)
        {
            DeferredReply reply;
            try
            {
                reply = await deferred(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(ex, interaction.Type, interaction.Data?.Name);
                reply = new DeferredReply(answer.DeferredFailure, []);
            }
            var edit = new MessageEdit
            {
                Content = Markdown.Truncate(reply.Text, 2000),
                Attachments = reply.Files.Count == 0 ? default(Optional<IReadOnlyList<AttachmentReference>?>)
                    : reply.Files.Select((f, i) => new AttachmentReference((ulong)i, f.FileName, f.Description)).ToList(),
            };
            var edited = await api.EditOriginalAsync(interaction.Token, edit, reply.Files.Count == 0 ? null : reply.Files, cancellationToken).ConfigureAwait(false);
            if (!edited.IsSuccess)
            {
                LogResponseFailed(interaction.Id, edited.Error!.ToString());
                // Discord refused the upload (too large for this server, say): the person still gets an answer.
                if (reply.Files.Count > 0)
                {
                    var fallback = new MessageEdit { Content = Markdown.Truncate($"The file could not be attached ({edited.Error.Message}). Run `./run.sh export` on the bot's machine to get it.", 2000) };
                    await api.EditOriginalAsync(interaction.Token, fallback, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }
        if (answer.FollowUp is { } followUp)
        {
            var posted = await api.CreateFollowupAsync(interaction.Token, followUp, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!posted.IsSuccess) LogResponseFailed(interaction.Id, posted.Error!.ToString());
        }
        if (answer.After is { } after)
        {
            try
            {
                await after(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(ex, interaction.Type, "after-work");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Interaction handler failed for {Type} {Name}")]
    private partial void LogHandlerFailed(Exception exception, InteractionType type, string? name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Interaction {InteractionId} was already answered ({Code}); re-delivery ignored")]
    private partial void LogAlreadyAnswered(ulong interactionId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answering interaction {InteractionId} failed: {Error}")]
    private partial void LogResponseFailed(ulong interactionId, string error);
}
