using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Presenting;

namespace Bot.Discord.Bot.Interactions;

/// <summary>Modal submits: a proposed action (becomes a candidate) and a comment on a step.</summary>
public sealed class ModalHandler(StepGuard guard, IRunCommands commands, IFeedbackStore feedback, IStepPresenter presenter, BotRoles roles)
{
    public async Task<InteractionAnswer> HandleAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        var parsed = CustomIds.Parse(interaction.Data?.CustomId);
        if (!parsed.IsSuccess) return InteractionAnswer.Ephemeral(parsed.Error!.Message);
        if (parsed.Value.Kind is not (CustomIdKind.ProposalModal or CustomIdKind.CommentModal))
            return InteractionAnswer.Ephemeral(BotReplies.UnknownStep);
        if (!roles.CanParticipate(interaction.Member)) return InteractionAnswer.Ephemeral(BotRoles.NotParticipant);
        var loaded = await guard.LoadAsync(interaction, parsed.Value, fromStepMessage: false, cancellationToken).ConfigureAwait(false);
        if (!loaded.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(loaded.Error!));
        var step = loaded.Value;
        var actor = ActorId.Discord(interaction.Invoker!.Id);
        var values = interaction.ModalValues();

        if (parsed.Value.Kind == CustomIdKind.CommentModal)
        {
            var text = values.GetValueOrDefault(CustomIds.Inputs.Comment, "").Trim();
            if (text.Length == 0) return InteractionAnswer.Ephemeral("The comment is empty; nothing was saved.");
            var stored = await feedback.CommentAsync(step.StepId, actor, text, cancellationToken).ConfigureAwait(false);
            return InteractionAnswer.Ephemeral(stored.IsSuccess ? $"Comment saved on step {step.Number}." : BotReplies.ForError(stored.Error!));
        }

        if (step.Decision is { } decision) return InteractionAnswer.Ephemeral(BotReplies.Decided(step.Number, decision.CandidateNumber));
        var action = values.GetValueOrDefault(CustomIds.Inputs.Action, "").Trim();
        if (action.Length == 0) return InteractionAnswer.Ephemeral("The action is empty; write a command, a sub-task or an answer.");
        if (!TryKind(values.GetValueOrDefault(CustomIds.Inputs.Kind, ""), out var kind))
            return InteractionAnswer.Ephemeral("Kind must be bash, delegate or submit (or empty for bash). Your text is below so you can resubmit:\n" + Rendering.Markdown.CodeBlock(action, 1800));
        var rationale = values.GetValueOrDefault(CustomIds.Inputs.Rationale, "").Trim();
        var keep = values.GetValueOrDefault(CustomIds.Inputs.KeepVote, "").Trim();
        var moveVote = !(keep.StartsWith('y') || keep.StartsWith('Y'));
        var source = roles.IsResearcher(interaction.Member) ? CandidateSource.Researcher : CandidateSource.Contractor;
        var command = new ProposeCandidate(actor, step.Number, new NewCandidate(kind, action, rationale.Length == 0 ? null : rationale, source, actor), moveVote);
        var handled = await commands.HandleAsync(step.RunId, command, interaction.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (!handled.IsSuccess) return InteractionAnswer.Ephemeral(BotReplies.ForError(handled.Error!));
        var text2 = $"Proposal added to step {step.Number}" + (moveVote ? "; your vote moved to it." : "; your vote stayed where it was.");
        return InteractionAnswer.Ephemeral(text2) with { After = ct => presenter.RenderStepAsync(step.RunId, step.Number, ct) };
    }

    public static bool TryKind(string text, out CandidateKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "" or "bash" or "shell" or "command": kind = CandidateKind.Bash; return true;
            case "delegate" or "sub-task" or "subtask": kind = CandidateKind.Delegate; return true;
            case "submit" or "answer": kind = CandidateKind.Submit; return true;
            default: kind = CandidateKind.Bash; return false;
        }
    }
}
