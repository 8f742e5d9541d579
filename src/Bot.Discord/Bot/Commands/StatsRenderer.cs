using System.Globalization;
using System.Text;
using Bot.Core.Ports;
using Bot.Core.Reporting.Figures;
using Bot.Discord.Bot.Rendering;
using static Bot.Core.Reporting.Figures.FigureText;

namespace Bot.Discord.Bot.Commands;

/// <summary>The figures of <c>/stats</c> as Discord messages (at most 2,000 characters).</summary>
public static class StatsRenderer
{
    public const int MaxLength = 2000;

    public static string Own(ParticipantStats stats, ContractorRow? row, FigureScope scope)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**Your figures** ({Range(scope)})\n");
        text.Append(CultureInfo.InvariantCulture, $"Proposals: {stats.Proposals} (chosen {stats.ProposalsChosen}) · ratings: {stats.Ratings} · tags: {stats.Tags} (all time)\n");
        if (row is null)
        {
            text.Append("You have not voted, rated, tagged or proposed on any step in this period, nor answered a calibration step.");
            return text.ToString();
        }
        text.Append(CultureInfo.InvariantCulture, $"Steps you acted on: {row.StepsSeen} · voted on: {row.StepsVoted} · median time to vote: {Seconds(row.MedianSecondsToVote)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Your vote matched the final decision: {Share(row.WithDecision)} · the other voters' majority: {Share(row.WithOthers)} · the model judge: {Share(row.WithJudge)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Steps decided your way whose run then succeeded: {Share(row.PickedSucceeded)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Your ratings against the other raters' (Spearman): {(row.RatingCorrelation is { } r ? Number(r, "0.00") : "not enough shared ratings")} over {row.RatingPairs} candidate(s)\n");
        text.Append(CultureInfo.InvariantCulture, $"Calibration steps (gold) answered correctly: {(row.Gold.Trials == 0 ? "none answered yet" : Proportion(row.Gold))}");
        return text.ToString();
    }

    public static string Struggles(IReadOnlyList<StruggleRow> rows, FigureScope scope)
    {
        string heading = $"**Where models struggle** ({Markdown.Inline(Describe(scope), 300)})\n";
        if (rows.Count == 0) return heading + "No runs ended and no steps were opened in this period.";
        // Shorter tables until the message fits; a table in a code block needs no escaping beyond its fences.
        foreach (int shown in new[] { rows.Count, 12, 6, 3, 1 }.Where(n => n <= rows.Count).Distinct())
        {
            var table = new StringBuilder();
            table.Append(CultureInfo.InvariantCulture, $"{"task",-16} {"model",-10} {"success [95%]",-21} {"steps",5} {"stuck",5} {"≠judge",-9} {"first wrong",-11}\n");
            foreach (var r in rows.Take(shown))
            {
                string firstWrong = r.FailedRunsLocated.Of == 0 ? "-" : $"{Number(r.FirstWrongStep)} ({r.FailedRunsLocated.Count}/{r.FailedRunsLocated.Of})";
                string tags = string.Join(", ", r.TagsPer100Steps.Take(3).Select(t => $"{t.Tag} {Number(t.Per100, "0")}"));
                table.Append(CultureInfo.InvariantCulture,
                    $"{Cut(r.Task, 16),-16} {Cut(r.Model, 10),-10} {Proportion(r.Success),-21} {r.Steps,5} {r.StuckVerdicts + "/" + r.StuckChecks,5} {Fraction(r.JudgeOverruled),-9} {firstWrong,-11}\n");
                if (tags.Length > 0) table.Append(CultureInfo.InvariantCulture, $"  tags per 100 steps: {Cut(tags, 80)}\n");
            }
            if (shown < rows.Count) table.Append(CultureInfo.InvariantCulture, $"… and {rows.Count - shown} more: ./run.sh struggles\n");
            string message = heading + Markdown.CodeBlock(table.ToString().TrimEnd('\n'), MaxLength - heading.Length);
            if (message.Length <= MaxLength && !message.EndsWith(Markdown.Ellipsis + "\n```", StringComparison.Ordinal)) return message;
        }
        return Markdown.Truncate(heading + "The table is too wide for a message: ./run.sh struggles prints it.", MaxLength);
    }

    private static string Fraction(Share share) => share.Of == 0 ? "-" : $"{share.Count}/{share.Of}";

    private static string Cut(string s, int max) => Markdown.Plain(s, max);
}
