using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Discord.Api;

namespace Bot.Discord.Bot.Rendering;

/// <summary>
/// A calibration post as contractors see it: the gold step rendered by <see cref="StepRenderer"/>
/// as if it were open for votes (no decision, tally, judge or sub-runs; the post's answers as its
/// votes), with every custom id replaced by one naming the post, so no click reaches the run.
/// </summary>
public static class CalibrationRenderer
{
    public static RenderedMessage Render(CalibrationPost post, StepView gold, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(gold);
        var live = gold with
        {
            RunStatus = RunStatus.Voting,
            IsCurrent = true,
            Decision = null,
            Judge = null,
            Votes = post.Answers,
            Deadline = ClosesAt(post, gold, now),
            GenerationFailure = null,
            Observation = null,
            SubRuns = [],
        };
        var rendered = StepRenderer.Render(live, now);
        var slot = 0;
        var rows = (rendered.Message.Components ?? []).Select(row => row with
        {
            Components = row.Components?.Select(c => c with { CustomId = Rewrite(post.Id, c.CustomId, () => slot++) }).ToList(),
        }).ToList();
        return rendered with { Message = rendered.Message with { Components = rows } };
    }

    /// <summary>Answers are taken for the original run's voting window from the post's first showing; null: it stays open.</summary>
    public static DateTimeOffset? ClosesAt(CalibrationPost post, StepView gold, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(gold);
        return gold.Policy.VotingWindow is { } window ? (post.PostedAt ?? now) + window : null;
    }

    private static string? Rewrite(long post, string? customId, Func<int> nextSlot)
    {
        if (customId is null) return null;
        var parsed = CustomIds.Parse(customId);
        if (!parsed.IsSuccess) throw new InvalidOperationException($"The step renderer wrote a custom id it cannot parse: {customId}.");
        return parsed.Value.Kind switch
        {
            CustomIdKind.Vote => CustomIds.CalibrationVote(post, parsed.Value.Number!.Value),
            CustomIdKind.VoteSelect => CustomIds.CalibrationSelect(post),
            _ => CustomIds.CalibrationOther(post, nextSlot()),
        };
    }
}
