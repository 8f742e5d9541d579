using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Interactions;
using Bot.Discord.Bot.Presenting;
using Bot.Discord.Bot.Rendering;

namespace Bot.Discord.Bot.Commands;

/// <summary><c>/run ...</c>: the run comes from the run option, else from the thread the command was used in.</summary>
public sealed class RunCommandHandler(
    IRunDirectory directory,
    IRunTreeReader trees,
    IRunCommands commands,
    IStepReader steps,
    IStepPresenter presenter,
    BotRoles roles,
    TimeProvider time,
    IDeadWorkReader? deadWork = null,
    IManualScoring? scoring = null,
    IGoldSteps? gold = null)
{
    /// <summary>The longest deadline /run deadline sets: a week, like the voting window of /task start.</summary>
    public const int MaxDeadlineMinutes = 10080;

    public async Task<InteractionAnswer> HandleAsync(Interaction interaction, CommandOptions options, CancellationToken cancellationToken = default)
    {
        // Runs carry task text and model output: only the team sees them, even read-only.
        if (!roles.CanParticipate(interaction.Member)) return InteractionAnswer.Ephemeral(BotRoles.NotParticipant);
        var run = await ResolveRunAsync(interaction, options, cancellationToken).ConfigureAwait(false);
        if (run is null) return InteractionAnswer.Ephemeral(BotReplies.NoRun);
        var sub = options.Subcommand;
        if (sub == SlashCommands.RunSub.Status)
        {
            var dead = deadWork is null ? DeadWorkSummary.None : await deadWork.GetDeadWorkAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            return InteractionAnswer.Ephemeral(RunRenderer.Status(run, dead));
        }
        if (sub == SlashCommands.RunSub.Tree)
        {
            var tree = await trees.GetTreeAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            return InteractionAnswer.Ephemeral(tree.IsSuccess ? RunRenderer.Tree(tree.Value, run.RunId) : BotReplies.ForError(tree.Error!));
        }
        if (!roles.IsResearcher(interaction.Member)) return InteractionAnswer.Ephemeral(BotRoles.NotResearcher);

        var actor = ActorId.Discord(interaction.Invoker!.Id);
        var interactionId = interaction.Id.ToString(CultureInfo.InvariantCulture);
        switch (sub)
        {
            case SlashCommands.RunSub.Nudge:
                var text = options.String(SlashCommands.Options.Text)?.Trim() ?? "";
                if (text.Length == 0) return InteractionAnswer.Ephemeral("The hint is empty; write what the agent should consider.");
                var nudged = await commands.NudgeAsync(run.RunId, actor, text, cancellationToken).ConfigureAwait(false);
                return InteractionAnswer.Ephemeral(nudged.IsSuccess ? $"Hint stored; the agent sees it from its next prompt on run {run.RunId}." : BotReplies.ForError(nudged.Error!));
            case SlashCommands.RunSub.Score:
                return await ScoreAsync(run, options, actor, cancellationToken).ConfigureAwait(false);
            case SlashCommands.RunSub.Gold:
                return await GoldAsync(run, options, actor, cancellationToken).ConfigureAwait(false);
            case SlashCommands.RunSub.Fork:
                return await ForkAsync(run, options, actor, interactionId, cancellationToken).ConfigureAwait(false);
            case SlashCommands.RunSub.Deadline when run.CurrentStep is not null:
                var minutes = options.Integer(SlashCommands.Options.Minutes);
                // Discord enforces the option's range, but a client can send anything: check again.
                if (minutes is not { } m || m < 1 || m > MaxDeadlineMinutes)
                    return InteractionAnswer.Ephemeral($"minutes must be a whole number from 1 to {MaxDeadlineMinutes} (a week); the deadline was not changed.");
                break;
        }

        var stepNumber = run.CurrentStep;
        RunCommand? command = (sub, stepNumber) switch
        {
            (SlashCommands.RunSub.Pause, _) => new PauseRun(actor),
            (SlashCommands.RunSub.Resume, _) => new ResumeRun(actor),
            (SlashCommands.RunSub.Abort, _) => new AbortRun(actor, options.String(SlashCommands.Options.Reason)),
            (SlashCommands.RunSub.Decide, { } step) when options.Integer(SlashCommands.Options.Option) is { } n and > 0 and <= int.MaxValue
                => new OverrideDecision(actor, step, (int)n),
            (SlashCommands.RunSub.Retry, { } step) => new RetryGeneration(actor, step),
            (SlashCommands.RunSub.Rerun, { } step) => new RerunInterrupted(actor, step),
            (SlashCommands.RunSub.Skip, { } step) => new SkipInterrupted(actor, step),
            (SlashCommands.RunSub.Deadline, { } step) => new SetDeadline(actor, step,
                time.GetUtcNow().AddMinutes(options.Integer(SlashCommands.Options.Minutes)!.Value)),
            _ => null,
        };
        if (command is null) return InteractionAnswer.Ephemeral("That command needs its options (or a run with a current step); see the command's description.");
        var handled = await commands.HandleAsync(run.RunId, command, interactionId, cancellationToken).ConfigureAwait(false);
        if (!handled.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(handled.Error!));
        var done = command switch
        {
            PauseRun => $"Run {run.RunId} paused. Resume it with /run resume.",
            ResumeRun => $"Run {run.RunId} resumed.",
            AbortRun => $"Run {run.RunId} aborted.",
            RetryGeneration => $"Retrying generation for step {stepNumber} of run {run.RunId}; the candidates appear on the step message.",
            RerunInterrupted => $"Running step {stepNumber}'s command again; its output will be posted in the run's thread.",
            SkipInterrupted => $"Skipped step {stepNumber}'s interrupted command; the next step starts.",
            SetDeadline d => $"Step {stepNumber} of run {run.RunId} now closes {Markdown.RelativeTime(d.Deadline)}.",
            _ => $"Step {stepNumber} of run {run.RunId} decided by your override.",
        };
        // Re-render the step the command was about (a skip opens the next step, which its own
        // render item posts after the skipped step's result, in order).
        var render = command is IStepCommand targeted ? targeted.StepNumber : handled.Value.StepNumber ?? stepNumber;
        return InteractionAnswer.Ephemeral(done) with
        {
            After = render is { } n2 ? ct => presenter.RenderStepAsync(run.RunId, n2, ct) : null,
        };
    }

    private async Task<RunSummary?> ResolveRunAsync(Interaction interaction, CommandOptions options, CancellationToken cancellationToken)
    {
        if (options.Integer(SlashCommands.Options.Run) is { } id and > 0)
        {
            var found = await directory.GetRunAsync(new RunId(id), cancellationToken).ConfigureAwait(false);
            return found.IsSuccess ? found.Value : null;
        }
        return interaction.ChannelId is { } channel ? await directory.FindByThreadAsync(DiscordRefs.Of(channel), cancellationToken).ConfigureAwait(false) : null;
    }

    private async Task<InteractionAnswer> ScoreAsync(RunSummary run, CommandOptions options, ActorId actor, CancellationToken cancellationToken)
    {
        if (scoring is null) return InteractionAnswer.Ephemeral("Manual scoring is not available in this bot.");
        // Discord enforces the option's range, but a client can send anything: the store checks again.
        if (options.Number(SlashCommands.Options.Value) is not { } value)
            return InteractionAnswer.Ephemeral("Give the score as value: a number from 0 to 1 (1 passes).");
        var scored = await scoring.ScoreAsync(run.RunId, value, actor, cancellationToken).ConfigureAwait(false);
        return InteractionAnswer.Ephemeral(scored.IsSuccess
            ? string.Create(CultureInfo.InvariantCulture, $"Run {run.RunId} scored {value:0.###} ({(value >= 1 ? "passed" : "not passed")}).")
            : BotReplies.ForError(scored.Error!));
    }

    /// <summary><c>/run gold step: option:</c>: the researcher's answer is the truth, even against the decision; 0 unmarks.</summary>
    private async Task<InteractionAnswer> GoldAsync(RunSummary run, CommandOptions options, ActorId actor, CancellationToken cancellationToken)
    {
        if (gold is null) return InteractionAnswer.Ephemeral("Gold steps are not available in this bot.");
        // Discord enforces the options' ranges, but a client can send anything: check again.
        if (options.Integer(SlashCommands.Options.Step) is not { } number || number is < 1 or > int.MaxValue)
            return InteractionAnswer.Ephemeral("Give step: the number of a decided step of this run; nothing was marked.");
        if (options.Integer(SlashCommands.Options.Option) is not { } option || option is < 0 or > Limits.MaxCandidatesPerStep)
            return InteractionAnswer.Ephemeral($"option: is the correct candidate's number (1 to {Limits.MaxCandidatesPerStep}), or 0 to unmark; nothing was marked.");
        var step = await steps.GetStepAsync(run.RunId, (int)number, cancellationToken).ConfigureAwait(false);
        if (!step.IsSuccess) return InteractionAnswer.Ephemeral(step.Error!.IsTransient ? BotReplies.ForError(step.Error) : $"Run {run.RunId} has no step {number}; nothing was marked.");
        var marked = await gold.MarkAsync(step.Value.StepId, (int)option, actor, cancellationToken).ConfigureAwait(false);
        var which = $"Step {number} of run {run.RunId}";
        // The store names steps by id; people know them by number.
        if (!marked.IsSuccess) return InteractionAnswer.Ephemeral(marked.Error!.Code switch
        {
            IGoldSteps.StepNotDecidedCode => $"{which} is not decided yet; only a decided step can be gold. Nothing was marked.",
            IGoldSteps.UnknownCandidateCode => $"{which} has no candidate #{option}; nothing was marked.",
            _ => BotReplies.ForError(marked.Error),
        });
        return InteractionAnswer.Ephemeral((marked.Value.Previous, marked.Value.Current) switch
        {
            (null, null) => $"{which} was not gold; nothing changed.",
            ({ } was, null) => $"{which} is no longer gold (its answer was #{was}); answers on its calibration posts no longer count.",
            (null, { } now) => $"{which} is gold: #{now} is the correct answer. It comes back to contractors as a calibration step.",
            ({ } was, { } now) when was == now => $"{which} is already gold with #{now}.",
            ({ } was, { } now) => $"{which}: the gold answer changed from #{was} to #{now}; earlier calibration answers are scored against #{now}.",
        });
    }

    private async Task<InteractionAnswer> ForkAsync(RunSummary run, CommandOptions options, ActorId actor, string interactionId, CancellationToken cancellationToken)
    {
        var number = options.Integer(SlashCommands.Options.Step) ?? 0;
        if (number is < 1 or > int.MaxValue)
            return InteractionAnswer.Ephemeral("Give the step number to branch from.");
        var step = await steps.GetStepAsync(run.RunId, (int)number, cancellationToken).ConfigureAwait(false);
        if (!step.IsSuccess) return InteractionAnswer.Ephemeral($"Run {run.RunId} has no step {number}.");
        var request = new StartRunRequest(run.TaskName, run.TaskText, run.Model, run.Settings, actor,
            Branch: new BranchOf(step.Value.StepId, BranchKind.Fork), InteractionId: interactionId);
        return InteractionAnswer.DeferEphemeral(async ct =>
        {
            var started = await commands.StartRunAsync(request, ct).ConfigureAwait(false);
            if (!started.IsSuccess) return BotReplies.ForError(started.Error!);
            var thread = await presenter.EnsureThreadAsync(started.Value, ct).ConfigureAwait(false);
            return thread.IsSuccess
                ? $"Forked run {run.RunId} at step {number} as run {started.Value} in {Markdown.Channel(thread.Value)}."
                : $"Forked as run {started.Value}; its thread could not be opened yet ({thread.Error!.Message}).";
        });
    }
}
