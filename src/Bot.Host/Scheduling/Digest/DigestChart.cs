using Bot.Core.Reporting;
using ScottPlot;
using SkiaSharp;
using Bot.Core.Text;

namespace Bot.Host.Scheduling.Digest;

/// <summary>
/// The digest's PNG: votes and decisions per day on top, the most used tags on failed or stuck
/// steps below. Two ScottPlot plots rendered into one Skia surface so the image has a fixed size.
/// </summary>
public static class DigestChart
{
    public const int Width = 800;
    public const int Height = 600;
    public const string FileName = "digest.png";

    public static byte[] RenderPng(DigestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);

        var perDay = PerDayPlot(report);
        var tags = TagsPlot(report);
        int split = Height * 3 / 5;
        perDay.Render(canvas, new PixelRect(0, Width, split, 0));
        tags.Render(canvas, new PixelRect(0, Width, Height, split));

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static Plot PerDayPlot(DigestReport report)
    {
        var plot = new Plot();
        var days = report.PerDay;
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < days.Count; i++)
        {
            bars.Add(new Bar { Position = i * 3 + 0, Value = days[i].Votes, FillColor = Colors.SteelBlue });
            bars.Add(new Bar { Position = i * 3 + 1, Value = days[i].Decisions, FillColor = Colors.DarkOrange });
            ticks.Add(new Tick(i * 3 + 0.5, days[i].Day.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Votes and decisions per day");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "votes", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "decisions", FillColor = Colors.DarkOrange });
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot TagsPlot(DigestReport report)
    {
        var plot = new Plot();
        plot.Title("Top tags on failed or stuck steps");
        var tags = report.StruggleTags;
        if (tags.Count == 0)
        {
            plot.Add.Text("no tagged struggles", 0, 0);
            plot.HideAxesAndGrid();
            return plot;
        }
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < tags.Count; i++)
        {
            // Highest count on top.
            double y = tags.Count - 1 - i;
            bars.Add(new Bar { Position = y, Value = tags[i].Count, FillColor = Colors.IndianRed });
            ticks.Add(new Tick(y, SafeText.Cut(tags[i].Tag, 24)));
        }
        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(left: 0);
        return plot;
    }
}
