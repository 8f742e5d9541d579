using System.Diagnostics;
using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
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

        var actor = ActorId.Discord(interaction.Invoker!.Id);
        if (id.Kind is CustomIdKind.Vote or CustomIdKind.VoteSelect) return await VoteAsync(interaction, id, actor, cancellationToken).ConfigureAwait(false);

        var fromStepMessage = id.Kind is CustomIdKind.Propose or CustomIdKind.Stuck
            or CustomIdKind.Decide or CustomIdKind.Tag or CustomIdKind.Retry or CustomIdKind.Rerun or CustomIdKind.Skip
            || (id.Kind == CustomIdKind.Rate && id.Number is null);
        var loaded = await guard.LoadAsync(interaction, id, fromStepMessage, cancellationToken).ConfigureAwait(false);
        if (!loaded.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(loaded.Error!));
        var step = loaded.Value;

        return id.Kind switch
        {
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

    /// <summary>
    /// Stores the vote and answers with one ephemeral confirmation. The step message's tally is
    /// brought up to date by the render work the vote enqueued, coalesced per step, so a burst of
    /// votes costs one callback each plus a few message edits, not an update and a follow-up each
    /// (docs/benchmarks.md, "The click path"); with blind tallies the message would not even change.
    /// The click reads only where the step lives: the engine refuses an unknown candidate or a step
    /// that is decided or over, and its receipt says what the vote replaced.
    /// </summary>
    private async Task<InteractionAnswer> VoteAsync(Interaction interaction, ParsedCustomId id, ActorId actor, CancellationToken cancellationToken)
    {
        var loading = Stopwatch.GetTimestamp();
        var located = await guard.LocateAsync(interaction, id, cancellationToken).ConfigureAwait(false);
        BotMetrics.InteractionLoad.Record(BotMetrics.Since(loading));
        if (!located.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(located.Error!));
        var step = located.Value;
        var number = id.Kind == CustomIdKind.Vote ? id.Number
            : interaction.Data?.Values is [var only] && int.TryParse(only, NumberStyles.None, CultureInfo.InvariantCulture, out var picked) ? picked
            : null;
        if (number is not { } n) return InteractionAnswer.Ephemeral(BotReplies.UnknownCandidate);

        var sending = Stopwatch.GetTimestamp();
        var handled = await commands.HandleAsync(step.RunId, new CastVote(actor, step.Number, n), interaction.Id.ToString(CultureInfo.InvariantCulture), cancellationToken)
            .ConfigureAwait(false);
        BotMetrics.InteractionCommand.Record(BotMetrics.Since(sending));
        if (handled.IsSuccess)
        {
            var receipt = handled.Value;
            var confirmation = receipt.Duplicate ? $"Your vote for #{n} on step {step.Number} is recorded."
                : receipt.Vote?.PreviousCandidate is { } was ? $"Vote changed from #{was} to #{n} on step {step.Number}."
                : $"Vote recorded: #{n} on step {step.Number}.";
            // Quorum reached by this very vote: say so, since the message catches up a moment later.
            if (receipt.Decided is { } decidedNow) confirmation += $" That decided the step: #{decidedNow.CandidateNumber} is chosen.";
            return InteractionAnswer.Ephemeral(confirmation);
        }
        var error = handled.Error!;
        return error.Code switch
        {
            EngineErrors.VoteUnchangedCode => InteractionAnswer.Ephemeral($"Your vote on step {step.Number} is already #{n}."),
            EngineErrors.UnknownCandidateCode => InteractionAnswer.Ephemeral(BotReplies.UnknownCandidate),
            EngineErrors.StepDecidedCode => await DecidedAsync(step, error, cancellationToken).ConfigureAwait(false),
            // The step moved on since its message was posted; show its current form.
            EngineErrors.StaleStepCode => await RefreshedAsync(step.StepId, BotReplies.ForError(error), cancellationToken).ConfigureAwait(false),
            _ => InteractionAnswer.Ephemeral(BotReplies.ForError(error)),
        };
    }

    /// <summary>A click on a decided step names the choice, which the refusal does not carry.</summary>
    private async Task<InteractionAnswer> DecidedAsync(StepPlace place, Error refusal, CancellationToken cancellationToken)
    {
        var step = await steps.GetStepAsync(place.StepId, cancellationToken).ConfigureAwait(false);
        return InteractionAnswer.Ephemeral(step.IsSuccess && step.Value.Decision is { } decision
            ? BotReplies.Decided(step.Value.Number, decision.CandidateNumber)
            : BotReplies.ForError(refusal));
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
        return await RefreshedAsync(step.StepId, handled.Value.Duplicate ? "Already done; nothing changed." : confirmation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The step message as it is now, with <paramref name="confirmation"/> as a private follow-up.</summary>
    private async Task<InteractionAnswer> RefreshedAsync(StepId stepId, string confirmation, CancellationToken cancellationToken)
    {
        var fresh = await steps.GetStepAsync(stepId, cancellationToken).ConfigureAwait(false);
        if (!fresh.IsSuccess) return InteractionAnswer.Ephemeral(confirmation);
        var view = fresh.Value;
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
