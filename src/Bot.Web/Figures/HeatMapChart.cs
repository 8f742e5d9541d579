using System.Globalization;
using Bot.Core.Reporting.Figures;
using Bot.Web.Pages;
using ScottPlot;

namespace Bot.Web.Figures;

/// <summary>
/// The struggle table as a task × model heat map drawn by ScottPlot: one rectangle per cell
/// coloured on a pale red–yellow–green scale with its value written on it, tasks down the left,
/// models along the bottom, and a legend of the scale. The table beside it holds the same numbers
/// and the drill-down links.
/// </summary>
public static class HeatMapChart
{
    public const string CssClass = "heatmap";

    /// <summary>The border every cell has (and nothing else in the chart): how a reader or a test tells cells apart.</summary>
    public static readonly Color CellBorder = Colors.White;

    private const int CellWidth = 140, CellHeight = 48, AxesSpace = 330, LegendSpace = 150;

    /// <summary>A cell's value (0..1), or null when it has nothing to show (no ended runs, no steps).</summary>
    public static double? Value(StruggleRow row, string metric)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (metric == FigureQuery.SuccessMetric) return row.Success.Value;
        if (row.Steps == 0) return null;
        // Tag frequency: steps carrying the tag per 100 steps, as a share of the steps.
        return row.TagsPer100Steps.Where(t => t.Tag == metric).Select(t => t.Per100 / 100).FirstOrDefault();
    }

    /// <summary>What the chart shows, in words: its title and the start of its accessible name.</summary>
    public static string Label(string metric) => metric == FigureQuery.SuccessMetric ? "success rate" : $"share of steps tagged {metric}";

    public static string Write(IReadOnlyList<StruggleRow> rows, string metric)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var tasks = rows.Select(r => r.Task).Distinct(StringComparer.Ordinal).ToList();
        var models = rows.Select(r => r.Model).Distinct(StringComparer.Ordinal).ToList();
        var plot = new Plot();
        plot.Font.Set(ChartSvg.FontName);
        foreach (var row in rows)
        {
            // Tasks top to bottom in the table's order: the first task gets the highest y.
            double x = models.IndexOf(row.Model), y = tasks.Count - 1 - tasks.IndexOf(row.Task);
            var value = Value(row, metric);
            var cell = plot.Add.Rectangle(x - 0.5, x + 0.5, y - 0.5, y + 0.5);
            cell.FillColor = Color.FromHex(Fill(value));
            cell.LineColor = CellBorder;
            cell.LineWidth = 2;
            var text = plot.Add.Text(value is { } v ? FigureText.Percent(v) : "no data", x, y);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontName = ChartSvg.FontName;
            text.LabelFontSize = 14;
            text.LabelBold = value is not null;
            text.LabelFontColor = Color.FromHex("#1b1f23");
        }
        plot.Axes.Left.TickGenerator = Ticks(tasks.Select((t, i) => (tasks.Count - 1 - i, t)), 28);
        plot.Axes.Bottom.TickGenerator = Ticks(models.Select((m, i) => (i, m)), 20);
        plot.Axes.SetLimits(-0.5, models.Count - 0.5, -0.5, tasks.Count - 0.5);
        plot.HideGrid();
        plot.Title(char.ToUpperInvariant(Label(metric)[0]) + Label(metric)[1..] + " by task and model");
        plot.XLabel("model");
        plot.YLabel("task");
        foreach (var (entry, fill) in new[] { ("0%", Fill(0)), ("50%", Fill(0.5)), ("100%", Fill(1)), ("no data", Fill(null)) })
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = entry, FillColor = Color.FromHex(fill), LabelFontName = ChartSvg.FontName, LabelFontSize = 13 });
        plot.ShowLegend(Edge.Right);

        var width = AxesSpace + LegendSpace + models.Count * CellWidth;
        var height = 150 + tasks.Count * CellHeight;
        var name = string.Create(CultureInfo.InvariantCulture,
            $"Heat map of {Label(metric)} by task and model: {tasks.Count} task(s), {models.Count} model(s), {rows.Count} cell(s). The table below has the same figures.");
        return ChartSvg.Inline(plot, width, height, CssClass, name);
    }

    /// <summary>The drill-down: the runs list filtered to the cell's task and model.</summary>
    public static string RunsLink(StruggleRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return $"/runs?task={Uri.EscapeDataString(row.Task)}&model={Uri.EscapeDataString(row.Model)}";
    }

    /// <summary>
    /// Light fills only, from pale red (0) through pale yellow to pale green (1), so the dark text on
    /// every cell keeps its contrast; an empty cell is grey. The number is always written too.
    /// </summary>
    public static string Fill(double? value)
    {
        if (value is not { } v) return "#eceff2";
        v = Math.Clamp(v, 0, 1);
        (int R, int G, int B) low = (0xf6, 0xc6, 0xc2), mid = (0xfb, 0xec, 0xb8), high = (0xbf, 0xe6, 0xc7);
        var (a, b, t) = v < 0.5 ? (low, mid, v * 2) : (mid, high, (v - 0.5) * 2);
        int Mix(int p, int q) => (int)Math.Round(p + (q - p) * t);
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(a.R, b.R):x2}{Mix(a.G, b.G):x2}{Mix(a.B, b.B):x2}");
    }

    private static ScottPlot.TickGenerators.NumericManual Ticks(IEnumerable<(int Position, string Label)> ticks, int max) =>
        new(ticks.Select(t => new Tick(t.Position, Bot.Core.Text.SafeText.Cut(t.Label, max))).ToArray());
}
