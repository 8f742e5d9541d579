using System.Globalization;
using Bot.Core.Reporting.Figures;
using Bot.Web.Views;
using ScottPlot;

namespace Bot.Web.Figures;

/// <summary>
/// The contractors' agreement figures as grouped horizontal bars drawn by ScottPlot: for each
/// person, the share of their votes that went with the decision, with the others and with the
/// judge. A figure with nothing to count gets no bar (the table says "-").
/// </summary>
public static class ContractorChart
{
    public const string CssClass = "contractors-chart";

    /// <summary>The three figures, in the order of their bars, with a colour each (Tableau's, readable on white).</summary>
    public static readonly IReadOnlyList<(string Name, string Colour, Func<ContractorRow, Share> Figure)> Series =
    [
        ("with the decision", "#1f77b4", r => r.WithDecision),
        ("with the others", "#ff7f0e", r => r.WithOthers),
        ("with the judge", "#2ca02c", r => r.WithJudge),
    ];

    private const int GroupSize = 4, BarHeight = 16;

    public static string Write(IReadOnlyList<ContractorRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var plot = new Plot();
        plot.Font.Set(ChartSvg.FontName);
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (var i = 0; i < rows.Count; i++)
        {
            // The first person at the top, their bars in the order of the legend.
            double top = (rows.Count - 1 - i) * GroupSize + Series.Count - 1;
            ticks.Add(new Tick(top - 1, Bot.Core.Text.SafeText.Cut(ActorNames.Plain(rows[i].Actor), 24)));
            for (var s = 0; s < Series.Count; s++)
            {
                if (Series[s].Figure(rows[i]).Value is not { } value) continue;
                bars.Add(new Bar { Position = top - s, Value = value * 100, FillColor = Color.FromHex(Series[s].Colour), Label = FigureText.Percent(value) });
            }
        }
        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        series.ValueLabelStyle.FontName = ChartSvg.FontName;
        series.ValueLabelStyle.FontSize = 12;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.SetLimits(0, 115, -1, rows.Count * GroupSize - 1);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. new[] { 0, 25, 50, 75, 100 }.Select(p => new Tick(p, p.ToString(CultureInfo.InvariantCulture) + "%"))]);
        plot.Title("Votes in agreement, by person");
        plot.XLabel("share of the person's votes");
        foreach (var (name, colour, _) in Series)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = Color.FromHex(colour), LabelFontName = ChartSvg.FontName, LabelFontSize = 13 });
        plot.ShowLegend(Edge.Right);

        var height = 130 + rows.Count * GroupSize * BarHeight;
        var label = string.Create(CultureInfo.InvariantCulture,
            $"Bar chart of each person's votes with the decision, with the others and with the judge: {rows.Count} person(s). The table below has the same figures.");
        return ChartSvg.Inline(plot, 820, height, CssClass, label);
    }
}
