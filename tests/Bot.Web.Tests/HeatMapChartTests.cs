using System.Xml.Linq;
using Bot.Core.Reporting.Figures;
using Bot.Web.Figures;
using Bot.Web.Pages;

namespace Bot.Web.Tests;

public sealed class HeatMapChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static StruggleRow Row(string task, string model, int successes, int runs) => new(
        task, model, new Proportion(successes, runs, runs == 0 ? null : 0.1, runs == 0 ? null : 0.9), null, 4, 0, 0,
        [("error", 50.0)], new Share(0, 0), new Share(0, 0), null, new Share(0, 0));

    /// <summary>Each cell is a filled rectangle followed by its border, the only rectangles with <see cref="HeatMapChart.CellBorder"/>.</summary>
    private static List<string> CellFills(XElement svg) => svg.Descendants(Svg + "rect")
        .Where(r => (string?)r.Attribute("stroke") == "white" && (string?)r.Attribute("fill") == "none")
        .Select(r => ((string)r.ElementsBeforeSelf(Svg + "rect").Last().Attribute("fill")!).ToLowerInvariant())
        .ToList();

    [Fact]
    public void A_hostile_task_name_is_text_in_the_chart_not_markup()
    {
        var svg = XElement.Parse(HeatMapChart.Write([Row("<script>alert(1)</script>", "m&1", 1, 2)], FigureQuery.SuccessMetric));

        Assert.Empty(svg.Descendants(Svg + "script"));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.Trim() == "<script>alert(1)</script>");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.Trim() == "m&1");
    }

    [Fact]
    public void Each_task_and_model_pair_gets_one_cell_coloured_by_its_value()
    {
        var svg = XElement.Parse(HeatMapChart.Write([Row("a", "m1", 1, 1), Row("a", "m2", 0, 1), Row("b", "m1", 0, 0)], FigureQuery.SuccessMetric));

        Assert.Equal(new[] { HeatMapChart.Fill(1), HeatMapChart.Fill(0), HeatMapChart.Fill(null) }.Order(StringComparer.Ordinal), CellFills(svg).Order(StringComparer.Ordinal));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Equal(2, texts.Count(t => t == "100%"));      // the cell and the legend's entry
        Assert.Equal(2, texts.Count(t => t == "no data"));   // the empty cell and the legend's entry
        Assert.Contains("Success rate by task and model", texts);
        Assert.Contains("task", texts);
        Assert.Contains("model", texts);
    }

    [Fact]
    public void The_chart_is_a_vector_picture_with_an_accessible_name()
    {
        var svg = XElement.Parse(HeatMapChart.Write([Row("a", "m1", 1, 2)], "error"));

        Assert.Equal("img", (string?)svg.Attribute("role"));
        Assert.StartsWith("Heat map of share of steps tagged error by task and model: 1 task(s), 1 model(s), 1 cell(s)", (string?)svg.Attribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal((string?)svg.Attribute("aria-label"), svg.Element(Svg + "title")?.Value);
        Assert.Empty(svg.Descendants(Svg + "image"));
        Assert.DoesNotContain(svg.DescendantsAndSelf(), e => e.Attribute("style") is not null);
        Assert.Equal([HeatMapChart.Fill(0.5)], CellFills(svg));
    }

    [Fact]
    public void Colouring_by_a_tag_uses_its_share_of_the_steps()
    {
        Assert.Equal(0.5, HeatMapChart.Value(Row("a", "m", 0, 0), "error"));
        Assert.Equal(0.0, HeatMapChart.Value(Row("a", "m", 0, 0), "hallucination"));
        Assert.Null(HeatMapChart.Value(Row("a", "m", 0, 0), FigureQuery.SuccessMetric));
    }

    [Theory]
    [InlineData(0.0, "#f6c6c2")]
    [InlineData(0.5, "#fbecb8")]
    [InlineData(1.0, "#bfe6c7")]
    public void Fills_run_from_pale_red_through_yellow_to_pale_green(double value, string fill) => Assert.Equal(fill, HeatMapChart.Fill(value));
}
