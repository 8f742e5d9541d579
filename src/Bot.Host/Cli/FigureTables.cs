using Bot.Core.Reporting.Figures;
using static Bot.Core.Reporting.Figures.FigureText;

namespace Bot.Host.Cli;

/// <summary>The figures as fixed-width text tables (definitions: docs/data.md, "Figures").</summary>
public static class FigureTables
{
    public static void Agreement(AgreementReport report, FigureScope scope, TextWriter output)
    {
        output.WriteLine($"Agreement (Krippendorff's alpha [bootstrap 95% interval]), {Describe(scope)}");
        output.WriteLine($"{"scope",-20} {"measure",-28} {"alpha",-22} {"units",6} {"values",7}");
        Block("all tasks", report.Overall, output);
        foreach (var (task, figures) in report.ByTask) Block(task, figures, output);
    }

    private static void Block(string scope, AgreementFigures f, TextWriter output)
    {
        Line(scope, "votes (nominal)", f.Votes, output);
        Line(scope, "ratings (interval)", f.RatingsInterval, output);
        Line(scope, "ratings (ordinal)", f.RatingsOrdinal, output);
        foreach (var tag in f.Tags) Line(scope, $"tag {tag.Tag} (nominal)", tag.Alpha, output);
    }

    private static void Line(string scope, string measure, AlphaResult a, TextWriter output) =>
        output.WriteLine($"{Clip(scope, 20),-20} {Clip(measure, 28),-28} {Alpha(a),-22} {a.Units,6} {a.Values,7}");

    public static void Struggles(IReadOnlyList<StruggleRow> rows, FigureScope scope, TextWriter output)
    {
        output.WriteLine($"Where models struggle, {Describe(scope)}");
        if (rows.Count == 0)
        {
            output.WriteLine("No runs ended and no steps opened in this range.");
            return;
        }
        output.WriteLine($"{"task",-20} {"model",-14} {"success [95%]",-22} {"med.steps",9} {"steps",6} {"stuck",7} {"judge overruled",-16} {"contractor won",-15} {"first wrong",-12} tags per 100 steps");
        foreach (var r in rows)
        {
            string tags = r.TagsPer100Steps.Count == 0 ? "-" : string.Join(", ", r.TagsPer100Steps.Take(5).Select(t => $"{t.Tag} {Number(t.Per100, "0")}"));
            string firstWrong = r.FailedRunsLocated.Of == 0 ? "-" : $"{Number(r.FirstWrongStep)} ({r.FailedRunsLocated.Count}/{r.FailedRunsLocated.Of})";
            output.WriteLine($"{Clip(r.Task, 20),-20} {Clip(r.Model, 14),-14} {Proportion(r.Success),-22} {Number(r.MedianSteps),9} {r.Steps,6} {$"{r.StuckVerdicts}/{r.StuckChecks}",7} {Share(r.JudgeOverruled),-16} {Share(r.ContractorWon),-15} {firstWrong,-12} {tags}");
        }
        output.WriteLine("stuck = checks that found the run stuck / checks; first wrong = median step (failed runs located / failed runs).");
    }

    public static void Contractors(IReadOnlyList<ContractorRow> rows, FigureScope scope, TextWriter output)
    {
        output.WriteLine($"Contractor quality, {Describe(scope)}");
        if (rows.Count == 0)
        {
            output.WriteLine("Nobody voted, rated, tagged or proposed on steps opened in this range, or answered a calibration step in it.");
            return;
        }
        output.WriteLine($"{"person",-26} {"seen",5} {"voted",5} {"with decision",-14} {"with others",-14} {"with judge",-14} {"picks succeeded",-16} {"rating rho",-12} {"to vote",-8} gold [95%]");
        foreach (var r in rows)
        {
            string rho = r.RatingCorrelation is { } c ? $"{Number(c, "0.00")} ({r.RatingPairs})" : $"- ({r.RatingPairs})";
            output.WriteLine($"{Clip(r.Actor.Value, 26),-26} {r.StepsSeen,5} {r.StepsVoted,5} {Share(r.WithDecision),-14} {Share(r.WithOthers),-14} {Share(r.WithJudge),-14} {Share(r.PickedSucceeded),-16} {rho,-12} {Seconds(r.MedianSecondsToVote),-8} {Proportion(r.Gold)}");
        }
        output.WriteLine("gold = calibration steps answered with the gold answer / answered, Wilson 95% interval.");
    }

    private static string Clip(string s, int max) => Bot.Core.Text.SafeText.Cut(s.ReplaceLineEndings(" "), max);
}
