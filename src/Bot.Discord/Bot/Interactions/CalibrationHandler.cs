using System.Globalization;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Rendering;
using Bot.Discord.Rest;

namespace Bot.Discord.Bot.Interactions;

/// <summary>
/// Clicks on a calibration post. A vote is stored as the person's answer (calibration_answers) and
/// confirmed exactly as a live vote is, without saying it is calibration or what is right; nothing
/// reaches the engine, so the original run is never touched.
/// </summary>
public sealed class CalibrationHandler(ICalibration calibration, IStepReader steps, DiscordMessagesApi messages, TimeProvider time)
{
    /// <summary>The answer to the post's other buttons: Propose, Rate, Tag, Stuck? and Decide take nothing on a calibration post.</summary>
    public const string VotesOnly = "Only votes are taken on this step; pick one of the numbered buttons.";

    public async Task<InteractionAnswer> HandleAsync(Interaction interaction, ParsedCustomId id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        ArgumentNullException.ThrowIfNull(id);
        var post = await calibration.GetPostAsync(id.CalibrationPostId, cancellationToken).ConfigureAwait(false);
        if (!post.IsSuccess) return InteractionAnswer.Ephemeral(post.Error!.IsTransient ? BotReplies.ForError(post.Error) : BotReplies.UnknownStep);
        if (DiscordRefs.Snowflake(post.Value.Message) is not { } message || interaction.Message?.Id is not { } clicked || clicked != message)
            return InteractionAnswer.Ephemeral(BotReplies.ForeignButton);
        var gold = await steps.GetStepAsync(post.Value.StepId, cancellationToken).ConfigureAwait(false);
        if (!gold.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(gold.Error!));
        var step = gold.Value;
        if (id.Kind == CustomIdKind.CalibrationOther) return InteractionAnswer.Ephemeral(VotesOnly);

        var now = time.GetUtcNow();
        if (CalibrationRenderer.ClosesAt(post.Value, step, now) is { } closes && closes <= now)
            return InteractionAnswer.Ephemeral($"Step {step.Number} is over. Use the latest step message.");
        int? number = id.Kind == CustomIdKind.CalibrationVote ? id.Number
            : interaction.Data?.Values is [var only] && int.TryParse(only, NumberStyles.None, CultureInfo.InvariantCulture, out var picked) ? picked : null;
        if (number is not { } n || step.FindCandidate(n) is null) return InteractionAnswer.Ephemeral(BotReplies.UnknownCandidate);

        var answered = await calibration.AnswerAsync(post.Value.Id, ActorId(interaction), n, cancellationToken).ConfigureAwait(false);
        if (!answered.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(answered.Error!));
        // The same words as a live vote's confirmation (ComponentHandler.VoteAsync).
        var confirmation = !answered.Value.Changed ? $"Your vote on step {step.Number} is already #{n}."
            : answered.Value.Previous is { } was ? $"Vote changed from #{was} to #{n} on step {step.Number}."
            : $"Vote recorded: #{n} on step {step.Number}.";
        // Answered as a live vote is: the private confirmation first, then the message's tally.
        var channel = interaction.ChannelId;
        return InteractionAnswer.Ephemeral(confirmation) with
        {
            After = async ct =>
            {
                var fresh = await calibration.GetPostAsync(post.Value.Id, ct).ConfigureAwait(false);
                if (!fresh.IsSuccess || channel is not { } inChannel) return;
                var shown = CalibrationRenderer.Render(fresh.Value, step, time.GetUtcNow());
                await messages.EditMessageAsync(inChannel, message, shown.ToEdit(), cancellationToken: ct).ConfigureAwait(false);
            },
        };
    }

    private static Core.Domain.ActorId ActorId(Interaction interaction) => Core.Domain.ActorId.Discord(interaction.Invoker!.Id);
}
