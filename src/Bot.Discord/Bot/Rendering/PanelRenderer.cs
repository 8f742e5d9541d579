using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Core.Text;

namespace Bot.Discord.Bot.Rendering;

/// <summary>The ephemeral panels and modals opened from a step message's buttons.</summary>
public static class PanelRenderer
{
    /// <summary>Rating selects per page; with more candidates one row is kept for the page buttons.</summary>
    public const int RatingsPerPage = 4;

    public static MessageCreate RatePanel(StepView step, IReadOnlyDictionary<int, int> current, int page = 0)
    {
        var candidates = step.Candidates;
        var paged = candidates.Count > 5;
        var pageSize = paged ? RatingsPerPage : 5;
        var pages = Math.Max(1, (candidates.Count + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 0, pages - 1);
        var rows = new List<Component>();
        foreach (var candidate in candidates.Skip(page * pageSize).Take(pageSize))
        {
            current.TryGetValue(candidate.Number, out var value);
            var has = current.ContainsKey(candidate.Number);
            var options = Enumerable.Range(Limits.MinRating, Limits.MaxRating - Limits.MinRating + 1).Reverse()
                .Select(v => new SelectOption(RatingLabel(v), v.ToString(CultureInfo.InvariantCulture), Default: has && v == value ? true : null))
                .ToList();
            var placeholder = Markdown.Plain($"#{candidate.Number} · {Actors.Kind(candidate.Kind)}: {SafeText.RevealInvisible(candidate.Text)}", 150);
            rows.Add(Component.ActionRow(Component.StringSelect(CustomIds.RatingSelect(step.StepId, candidate.Number), options, placeholder)));
        }
        if (paged)
        {
            // prev and next always differ (page-1 clamped to 0 < page+1), so the ids are unique in the message.
            rows.Add(Component.ActionRow(
                Component.Button(CustomIds.RatePage(step.StepId, Math.Max(0, page - 1)), "Previous", disabled: page == 0),
                Component.Button(CustomIds.RatePage(step.StepId, page + 1), "Next", disabled: page >= pages - 1)));
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"Rate the candidates of step {step.Number} (+2 great … -2 harmful). You can change a rating later.{(paged ? $" Page {page + 1} of {pages}." : "")}");
        return RenderedMessage.Ephemeral(text, rows);
    }

    public static string RatingLabel(int value) => value switch
    {
        2 => "+2 great",
        1 => "+1 good",
        0 => "0 neutral",
        -1 => "-1 poor",
        -2 => "-2 harmful",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public static MessageCreate TagPanel(StepView step, IReadOnlyList<string> taxonomy, IReadOnlyList<string> current)
    {
        var options = taxonomy.Take(25).Select(tag => new SelectOption(TagLabel(tag), tag, Default: current.Contains(tag) ? true : null)).ToList();
        var rows = new List<Component>
        {
            Component.ActionRow(Component.StringSelect(CustomIds.TagSelect(step.StepId), options, "Tag this step", minValues: 0, maxValues: options.Count)),
            Component.ActionRow(Component.Button(CustomIds.Comment(step.StepId), "Add a comment", ButtonStyle.Secondary)),
        };
        var text = string.Create(CultureInfo.InvariantCulture, $"Tag step {step.Number}: pick every tag that applies (your selection replaces your earlier tags).");
        return RenderedMessage.Ephemeral(text, rows);
    }

    public static string TagLabel(string tag) => tag.Replace('-', ' ').Replace('_', ' ');

    public static MessageCreate DecidePanel(StepView step)
    {
        var options = step.Candidates.Take(25).Select(c => new SelectOption(
            Markdown.Plain($"#{c.Number} · {Actors.Kind(c.Kind)}", 100), c.Number.ToString(CultureInfo.InvariantCulture), Markdown.Plain(SafeText.RevealInvisible(c.Text), 100))).ToList();
        var text = string.Create(CultureInfo.InvariantCulture,
            $"Override the vote on step {step.Number}: the candidate you pick is executed at once. Current tally: {StepRenderer.FullTally(step)}.");
        return RenderedMessage.Ephemeral(text, [Component.ActionRow(Component.StringSelect(CustomIds.OverrideSelect(step.StepId), options, "Pick the action to run"))]);
    }

    public static InteractionResponse ProposeModal(StepView step) => InteractionResponse.Modal(
        CustomIds.ProposalModal(step.StepId),
        Markdown.Plain($"Propose an action for step {step.Number}", 45),
        [
            Component.LabelFor("Action", Component.TextInput(CustomIds.Inputs.Action, TextInputStyle.Paragraph, required: true, maxLength: 4000,
                placeholder: "A shell command, a sub-task to delegate, or the final answer"), "What the agent should do next"),
            Component.LabelFor("Kind", Component.TextInput(CustomIds.Inputs.Kind, TextInputStyle.Short, required: false, maxLength: 10,
                placeholder: "bash, delegate or submit (default bash)")),
            Component.LabelFor("Rationale", Component.TextInput(CustomIds.Inputs.Rationale, TextInputStyle.Paragraph, required: false, maxLength: 1000,
                placeholder: "Why this is the right next step")),
            Component.LabelFor("Keep my current vote?", Component.TextInput(CustomIds.Inputs.KeepVote, TextInputStyle.Short, required: false, maxLength: 3,
                placeholder: "Type yes to keep it; otherwise it moves to this"), "By default your vote moves to your proposal"),
        ]);

    public static InteractionResponse CommentModal(StepView step) => InteractionResponse.Modal(
        CustomIds.CommentModal(step.StepId),
        Markdown.Plain($"Comment on step {step.Number}", 45),
        [
            Component.LabelFor("Comment", Component.TextInput(CustomIds.Inputs.Comment, TextInputStyle.Paragraph, required: true, maxLength: 2000,
                placeholder: "What went well or wrong in this step")),
        ]);
}
