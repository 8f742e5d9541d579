using System.Globalization;
using Bot.Core.Domain;

namespace Bot.Discord.Bot.Rendering;

/// <summary>How actors appear in messages: Discord users as (non-pinging) mentions, the rest as text.</summary>
public static class Actors
{
    private const string DiscordPrefix = "discord:";
    private const string ModelPrefix = "model:";

    public static ulong? DiscordUserId(ActorId actor) =>
        actor.Value.StartsWith(DiscordPrefix, StringComparison.Ordinal)
        && ulong.TryParse(actor.Value.AsSpan(DiscordPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    public static string Display(ActorId actor)
    {
        if (DiscordUserId(actor) is { } id) return Markdown.UserMention(id);
        if (actor.Value.StartsWith(ModelPrefix, StringComparison.Ordinal))
            return "model " + Markdown.Inline(actor.Value[ModelPrefix.Length..], 60);
        return Markdown.Inline(actor.Value, 60);
    }

    public static string Kind(CandidateKind kind) => kind switch
    {
        CandidateKind.Bash => "bash",
        CandidateKind.Delegate => "delegate",
        CandidateKind.Submit => "submit",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static string Method(DecisionMethod method) => method switch
    {
        DecisionMethod.Consensus => "by consensus",
        DecisionMethod.DeadlinePlurality => "by plurality at the deadline",
        DecisionMethod.ModelJudge => "by the model judge",
        DecisionMethod.ResearcherOverride => "by researcher override",
        _ => method.ToString(),
    };

    public static string Status(RunStatus status) => status switch
    {
        RunStatus.GeneratingCandidates => "generating candidates",
        RunStatus.Voting => "voting",
        RunStatus.Executing => "executing",
        RunStatus.WaitingOnSubRun => "waiting on sub-run",
        RunStatus.Paused => "paused",
        RunStatus.ExecutionInterrupted => "execution interrupted",
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Aborted => "aborted",
        _ => status.ToString(),
    };
}
