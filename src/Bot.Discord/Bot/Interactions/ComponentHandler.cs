using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Presenting;
using Bot.Discord.Bot.Rendering;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Bot.Interactions;

/// <summary>Buttons and selects: votes, the Propose/Rate/Tag/Stuck?/Decide buttons and their panels.</summary>
public sealed class ComponentHandler(
    StepGuard guard,
    IStepReader steps,
    IRunCommands commands,
    IFeedbackStore feedback,
    IStepPresenter presenter,
    BotRoles roles,
    IOptions<DiscordOptions> options,
    TimeProvider time,
    CalibrationHandler calibration,
    IWebPageLinks? webPages = null)
{
    public async Task<InteractionAnswer> HandleAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        var parsed = CustomIds.Parse(interaction.Data?.CustomId);
        if (!parsed.IsSuccess) return InteractionAnswer.Ephemeral(parsed.Error!.Message);
        var id = parsed.Value;
        var member = interaction.Member;
        var isResearcher = roles.IsResearcher(member);
        if (!roles.CanParticipate(member)) return InteractionAnswer.Ephemeral(BotRoles.NotParticipant);
        // Before the step guard: a calibration id names a post, and must never load (or act on) a step.
        if (id.IsCalibration) return await calibration.HandleAsync(interaction, id, cancellationToken).ConfigureAwait(false);
        if (id.Kind is CustomIdKind.Decide or CustomIdKind.OverrideSelect or CustomIdKind.Retry or CustomIdKind.Rerun or CustomIdKind.Skip && !isResearcher)
            return InteractionAnswer.Ephemeral(BotRoles.NotResearcher);

        var fromStepMessage = id.Kind is CustomIdKind.Vote or CustomIdKind.VoteSelect or CustomIdKind.Propose or CustomIdKind.Stuck
            or CustomIdKind.Decide or CustomIdKind.Tag or CustomIdKind.Retry or CustomIdKind.Rerun or CustomIdKind.Skip
            || (id.Kind == CustomIdKind.Rate && id.Number is null);
        var loaded = await guard.LoadAsync(interaction, id, fromStepMessage, cancellationToken).ConfigureAwait(false);
        if (!loaded.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(loaded.Error!));
        var step = loaded.Value;
        var actor = ActorId.Discord(interaction.Invoker!.Id);

        return id.Kind switch
        {
            CustomIdKind.Vote => await VoteAsync(interaction, step, actor, id.Number!.Value, cancellationToken).ConfigureAwait(false),
            CustomIdKind.VoteSelect => await VoteSelectAsync(interaction, step, actor, cancellationToken).ConfigureAwait(false),
            CustomIdKind.Propose => OpenWhenOpen(step, () => new InteractionAnswer(PanelRenderer.ProposeModal(step))),
            CustomIdKind.Decide => OpenWhenOpen(step, () => InteractionAnswer.Panel(PanelRenderer.DecidePanel(step))),
            CustomIdKind.Stuck => await StuckAsync(step, actor, cancellationToken).ConfigureAwait(false),
            CustomIdKind.Rate => await RatePanelAsync(step, actor, id.Number, cancellationToken).ConfigureAwait(false),
            CustomIdKind.Tag => InteractionAnswer.Panel(PanelRenderer.TagPanel(step, options.Value.TagTaxonomy,
                await feedback.TagsOfAsync(step.StepId, actor, cancellationToken).ConfigureAwait(false))),
            CustomIdKind.Comment => new InteractionAnswer(PanelRenderer.CommentModal(step)),
            CustomIdKind.RatingSelect => await RateAsync(interaction, step, actor, id.Number!.Value, cancellationToken).ConfigureAwait(false),
            CustomIdKind.TagSelect => await TagAsync(interaction, step, actor, cancellationToken).ConfigureAwait(false),
            CustomIdKind.OverrideSelect => await OverrideAsync(interaction, step, actor, cancellationToken).ConfigureAwait(false),
            CustomIdKind.Retry => await ControlAsync(interaction, step, new RetryGeneration(actor, step.Number),
                $"Retrying generation for step {step.Number}; the candidates appear on this message when the model answers.", cancellationToken).ConfigureAwait(false),
            CustomIdKind.Rerun => await ControlAsync(interaction, step, new RerunInterrupted(actor, step.Number),
                $"Running step {step.Number}'s command again; its output will be posted in this thread.", cancellationToken).ConfigureAwait(false),
            CustomIdKind.Skip => await ControlAsync(interaction, step, new SkipInterrupted(actor, step.Number),
                $"Skipped step {step.Number}'s interrupted command; the next step starts.", cancellationToken).ConfigureAwait(false),
            _ => InteractionAnswer.Ephemeral(BotReplies.UnknownStep),
        };
    }

    /// <summary>From the step message: a new ephemeral panel; from the panel's page buttons: that panel, updated.</summary>
    private async Task<InteractionAnswer> RatePanelAsync(StepView step, ActorId actor, int? page, CancellationToken cancellationToken)
    {
        var current = await feedback.RatingsOfAsync(step.StepId, actor, cancellationToken).ConfigureAwait(false);
        var panel = PanelRenderer.RatePanel(step, current, page ?? 0);
        return page is null ? InteractionAnswer.Panel(panel) : InteractionAnswer.Update(panel with { Flags = null });
    }

    private static InteractionAnswer OpenWhenOpen(StepView step, Func<InteractionAnswer> open)
    {
        if (step.Decision is { } decision) return InteractionAnswer.Ephemeral(BotReplies.Decided(step.Number, decision.CandidateNumber));
        if (!step.IsCurrent) return InteractionAnswer.Ephemeral($"Step {step.Number} is over. Use the latest step message.");
        if (step.RunStatus == RunStatus.Paused) return InteractionAnswer.Ephemeral("This run is paused; a researcher must resume it first.");
        if (!step.OpenForVotes) return InteractionAnswer.Ephemeral("This step is not open for voting yet; wait for the candidates.");
        return open();
    }

    private async Task<InteractionAnswer> VoteSelectAsync(Interaction interaction, StepView step, ActorId actor, CancellationToken cancellationToken)
    {
        var value = interaction.Data?.Values is [var only] ? only : null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || step.FindCandidate(number) is null)
            return InteractionAnswer.Ephemeral(BotReplies.UnknownCandidate);
        return await VoteAsync(interaction, step, actor, number, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the vote and answers with one ephemeral confirmation. The step message's tally is
    /// brought up to date by the render work the vote enqueued, coalesced per step, so a burst of
    /// votes costs one callback each plus a few message edits, not an update and a follow-up each
    /// (docs/benchmarks.md, "The click path"); with blind tallies the message would not even change.
    /// </summary>
    private async Task<InteractionAnswer> VoteAsync(Interaction interaction, StepView step, ActorId actor, int number, CancellationToken cancellationToken)
    {
        if (step.Decision is { } decision) return InteractionAnswer.Ephemeral(BotReplies.Decided(step.Number, decision.CandidateNumber));
        var previous = step.VoteOf(actor)?.CandidateNumber;
        var interactionId = interaction.Id.ToString(CultureInfo.InvariantCulture);
        var handled = await commands.HandleAsync(step.RunId, new CastVote(actor, step.Number, number), interactionId, cancellationToken).ConfigureAwait(false);
        string confirmation;
        if (handled.IsSuccess)
        {
            confirmation = handled.Value.Duplicate ? $"Your vote for #{number} on step {step.Number} is recorded."
                : previous is { } was ? $"Vote changed from #{was} to #{number} on step {step.Number}."
                : $"Vote recorded: #{number} on step {step.Number}.";
            // Quorum reached by this very vote: say so, since the message catches up a moment later.
            if (handled.Value.Decided is { } decidedNow)
                confirmation += $" That decided the step: #{decidedNow.CandidateNumber} is chosen.";
        }
        else if (handled.Error!.Code == EngineErrors.VoteUnchangedCode)
        {
            confirmation = $"Your vote on step {step.Number} is already #{number}.";
        }
        else if (handled.Error.Code == EngineErrors.StepDecidedCode || handled.Error.Code == EngineErrors.StaleStepCode)
        {
            // The step moved on between the check and the lock; show its current form.
            return await RefreshedAsync(step, BotReplies.ForError(handled.Error), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return InteractionAnswer.Ephemeral(BotReplies.ForError(handled.Error));
        }
        return InteractionAnswer.Ephemeral(confirmation);
    }

    /// <summary>
    /// A researcher's control of a stuck step (retry, re-run, skip): the engine decides whether the
    /// step is still in that state, so a second click or a stale message gets its named error.
    /// </summary>
    private async Task<InteractionAnswer> ControlAsync(Interaction interaction, StepView step, RunCommand command, string confirmation, CancellationToken cancellationToken)
    {
        if (!step.IsCurrent) return InteractionAnswer.Ephemeral($"Step {step.Number} is over. Use the latest step message.");
        var handled = await commands.HandleAsync(step.RunId, command, interaction.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (!handled.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(handled.Error!));
        return await RefreshedAsync(step, handled.Value.Duplicate ? "Already done; nothing changed." : confirmation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<InteractionAnswer> RefreshedAsync(StepView step, string confirmation, CancellationToken cancellationToken)
    {
        var fresh = await steps.GetStepAsync(step.StepId, cancellationToken).ConfigureAwait(false);
        var view = fresh.IsSuccess ? fresh.Value : step;
        return new InteractionAnswer(WebPageButton.Add(StepRenderer.Render(view, time.GetUtcNow()), webPages?.StepPage(view.RunId, view.Number)).ToUpdate())
        {
            FollowUp = RenderedMessage.Ephemeral(confirmation),
        };
    }

    private async Task<InteractionAnswer> StuckAsync(StepView step, ActorId actor, CancellationToken cancellationToken)
    {
        if (step.Decision is { } decision) return InteractionAnswer.Ephemeral(BotReplies.Decided(step.Number, decision.CandidateNumber));
        var requested = await feedback.RequestStuckCheckAsync(step.StepId, actor, cancellationToken).ConfigureAwait(false);
        if (!requested.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(requested.Error!));
        return InteractionAnswer.Ephemeral(requested.Value
            ? "Asked the model whether it is stuck; its reflection will be posted in this thread."
            : "A stuck check for this step was already requested; its reflection will be posted in this thread.");
    }

    private async Task<InteractionAnswer> RateAsync(Interaction interaction, StepView step, ActorId actor, int candidate, CancellationToken cancellationToken)
    {
        var value = interaction.Data?.Values is [var only] ? only : null;
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rating) || rating is < Limits.MinRating or > Limits.MaxRating)
            return InteractionAnswer.Ephemeral("Ratings go from -2 to +2; pick one of the listed values.");
        var stored = await feedback.RateAsync(step.StepId, candidate, actor, rating, cancellationToken).ConfigureAwait(false);
        if (!stored.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(stored.Error!));
        var current = await feedback.RatingsOfAsync(step.StepId, actor, cancellationToken).ConfigureAwait(false);
        var page = step.Candidates.Count > 5 ? step.Candidates.TakeWhile(c => c.Number != candidate).Count() / PanelRenderer.RatingsPerPage : 0;
        var panel = PanelRenderer.RatePanel(step, current, page);
        var saved = $"Saved: #{candidate} rated {PanelRenderer.RatingLabel(rating)}. ";
        return InteractionAnswer.Update(panel with { Content = Markdown.Truncate(saved + panel.Content, 2000), Flags = null });
    }

    private async Task<InteractionAnswer> TagAsync(Interaction interaction, StepView step, ActorId actor, CancellationToken cancellationToken)
    {
        var taxonomy = options.Value.TagTaxonomy;
        var chosen = (interaction.Data?.Values ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (chosen.Any(t => !taxonomy.Contains(t)))
            return InteractionAnswer.Ephemeral("That tag is not in the configured list; pick from the menu.");
        var stored = await feedback.TagAsync(step.StepId, chosen, actor, cancellationToken).ConfigureAwait(false);
        if (!stored.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(stored.Error!));
        var panel = PanelRenderer.TagPanel(step, taxonomy, chosen);
        var saved = chosen.Count == 0 ? "Saved: no tags. " : "Saved: " + string.Join(", ", chosen.Select(PanelRenderer.TagLabel)) + ". ";
        return InteractionAnswer.Update(panel with { Content = Markdown.Truncate(saved + panel.Content, 2000), Flags = null });
    }

    private async Task<InteractionAnswer> OverrideAsync(Interaction interaction, StepView step, ActorId actor, CancellationToken cancellationToken)
    {
        var value = interaction.Data?.Values is [var only] ? only : null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || step.FindCandidate(number) is null)
            return InteractionAnswer.Ephemeral(BotReplies.UnknownCandidate);
        var handled = await commands.HandleAsync(step.RunId, new OverrideDecision(actor, step.Number, number),
            interaction.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (!handled.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(handled.Error!));
        return InteractionAnswer.Update(RenderedMessage.Ephemeral($"Step {step.Number} decided: #{number} by your override.") with { Flags = null, Components = [] })
            with { After = ct => presenter.RenderStepAsync(step.RunId, step.Number, ct) };
    }
}
