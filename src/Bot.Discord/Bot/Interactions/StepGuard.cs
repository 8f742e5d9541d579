using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Bot.Interactions;

/// <summary>
/// Re-validates a parsed custom id against the database: the step exists, the click comes from the
/// run's thread and (for step-message buttons) from that step's own message, and a candidate
/// number names a candidate of the step. A forged id that passes parsing stops here, or, on the
/// vote path, at the engine, which refuses a candidate the step does not have.
/// </summary>
public sealed class StepGuard(IStepReader steps)
{
    public const string RefusedCode = "interaction_refused";

    public async Task<Result<StepView>> LoadAsync(Interaction interaction, ParsedCustomId id, bool fromStepMessage, CancellationToken cancellationToken = default)
    {
        var found = await steps.GetStepAsync(id.StepId, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess) return NotFound(found.Error!);
        var step = found.Value;
        if (Foreign(interaction, step.Thread, step.Message, fromStepMessage) is { } foreign) return foreign;
        if (id.Kind is CustomIdKind.RatingSelect && id.Number is { } n && step.FindCandidate(n) is null)
            return Refuse(BotReplies.UnknownCandidate);
        return step;
    }

    /// <summary>
    /// The vote path (a click on the step message): only where the step lives. The vote's command
    /// checks the rest (candidate, decided, current step) under the run's lock, so the click costs
    /// one row here instead of the whole step with every vote on it.
    /// </summary>
    public async Task<Result<StepPlace>> LocateAsync(Interaction interaction, ParsedCustomId id, CancellationToken cancellationToken = default)
    {
        var found = await steps.GetPlaceAsync(id.StepId, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess) return NotFound(found.Error!);
        var place = found.Value;
        return Foreign(interaction, place.Thread, place.Message, fromStepMessage: true) is { } foreign ? foreign : place;
    }

    private static Error NotFound(Error error) => error.IsTransient ? error : Refuse(BotReplies.UnknownStep);

    private static Error? Foreign(Interaction interaction, ChatRef? thread, ChatRef? message, bool fromStepMessage)
    {
        if (DiscordRefs.Snowflake(thread) is { } threadId && interaction.ChannelId is { } channel && channel != threadId)
            return Refuse(BotReplies.ForeignButton);
        if (fromStepMessage && DiscordRefs.Snowflake(message) is { } messageId && interaction.Message?.Id is { } clicked && clicked != messageId)
            return Refuse(BotReplies.ForeignButton);
        return null;
    }

    public static Error Refuse(string message) => new(RefusedCode, message);
}
