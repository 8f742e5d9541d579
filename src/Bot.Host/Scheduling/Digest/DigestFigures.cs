using System.Globalization;
using System.Text;
using Bot.Core.Domain;
using Bot.Core.Reporting.Figures;
using Bot.Core.Text;
using static Bot.Core.Reporting.Figures.FigureText;

namespace Bot.Host.Scheduling.Digest;

/// <summary>
/// The digest's part of the figures (docs/data.md, "Figures"): vote, rating and tag agreement, a
/// contractor-quality summary and the struggle table, as the CLI prints them in full.
/// </summary>
internal static class DigestFigures
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const int TagsShown = 3;

    public static void Append(StringBuilder sb, FigureReport figures, int rows)
    {
        var a = figures.Agreement.Overall;
        if (a.Votes.Alpha is not null || a.RatingsInterval.Alpha is not null || a.Tags.Any(t => t.Alpha.Alpha is not null))
        {
            sb.Append(Inv, $"**Agreement** (Krippendorff's α [95%]): votes {Alpha(a.Votes)} · ratings {Alpha(a.RatingsInterval)}");
            var tags = a.Tags.Where(t => t.Alpha.Alpha is not null).OrderByDescending(t => t.Alpha.Units).ThenBy(t => t.Tag, StringComparer.Ordinal).Take(TagsShown).ToList();
            if (tags.Count > 0) sb.Append(" · tags ").AppendJoin(", ", tags.Select(t => $"`{Clip(t.Tag, 24)}` {Number(t.Alpha.Alpha, "0.00")}"));
            sb.Append('\n');
        }

        var voters = figures.Contractors.Where(c => c.StepsVoted > 0 || c.Gold.Trials > 0)
            .OrderByDescending(c => c.StepsVoted).ThenBy(c => c.Actor.Value, StringComparer.Ordinal).ToList();
        if (voters.Count > 0)
        {
            sb.Append("**Contractors** (steps voted · with decision · with other voters · with judge · time to vote · gold correct [95%])\n");
            foreach (var c in voters.Take(rows))
            {
                sb.Append(Inv, $"• {Who(c.Actor)} {c.StepsVoted} · {Share(c.WithDecision)} · {Share(c.WithOthers)} · {Share(c.WithJudge)} · {Seconds(c.MedianSecondsToVote)} · {Proportion(c.Gold)}\n");
            }
            if (voters.Count > rows) sb.Append(Inv, $"… and {voters.Count - rows} more: ./run.sh contractors\n");
        }

        if (figures.Struggles.Count > 0)
        {
            sb.Append("**Where models struggle**\n```\n");
            sb.Append(Inv, $"{"task",-16} {"model",-10} {"success [95%]",-20} {"steps",5} {"stuck",5} {"≠judge",6} {"wrong@",6}\n");
            foreach (var r in figures.Struggles.Take(rows))
            {
                string firstWrong = r.FirstWrongStep is { } w ? Number(w) : "-";
                sb.Append(Inv, $"{Clip(r.Task, 16),-16} {Clip(r.Model, 10),-10} {Proportion(r.Success),-20} {r.Steps,5} {r.StuckVerdicts + "/" + r.StuckChecks,5} {Count(r.JudgeOverruled),6} {firstWrong,6}\n");
            }
            if (figures.Struggles.Count > rows) sb.Append(Inv, $"… and {figures.Struggles.Count - rows} more: ./run.sh struggles\n");
            sb.Append("```\n");
        }
    }

    private static string Count(Share s) => s.Of == 0 ? "-" : $"{s.Count}/{s.Of}";

    /// <summary>Discord users as mentions (rendered as names; the message allows no pings).</summary>
    private static string Who(ActorId actor) =>
        actor.Value.StartsWith("discord:", StringComparison.Ordinal) ? $"<@{actor.Value["discord:".Length..]}>" : actor.Value;

    private static string Clip(string s, int max) => SafeText.Cut(s.ReplaceLineEndings(" ").Replace('`', '\''), max);
}
