using System.Xml.Linq;
using Bot.Core.Domain;
using Bot.Core.Reporting.Figures;
using Bot.Web.Figures;

namespace Bot.Web.Tests;

public sealed class ContractorChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static ContractorRow Row(string actor, Share decision, Share others, Share judge) =>
        new(new ActorId(actor), 4, 4, decision, others, judge, new Share(0, 0), null, 0, null, new Proportion(0, 0, null, null));

    private static int Filled(XElement svg, string colour) =>
        svg.Descendants(Svg + "rect").Count(r => string.Equals((string?)r.Attribute("fill"), colour, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Each_figure_with_something_to_count_gets_a_bar_labelled_with_its_share()
    {
        var svg = XElement.Parse(ContractorChart.Write([
            Row("discord:1", new Share(3, 4), new Share(1, 2), new Share(0, 0)),
            Row("<b>x</b>", new Share(1, 1), new Share(0, 0), new Share(0, 0))]));

        // One swatch in the legend for each series, plus its bars.
        Assert.Equal(2 + 1, Filled(svg, ContractorChart.Series[0].Colour));
        Assert.Equal(1 + 1, Filled(svg, ContractorChart.Series[1].Colour));
        Assert.Equal(0 + 1, Filled(svg, ContractorChart.Series[2].Colour));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("75%", texts);
        Assert.Contains("user 1", texts);
        Assert.Contains("<b>x</b>", texts);
        Assert.Empty(svg.Descendants(Svg + "b"));
        Assert.Equal("img", (string?)svg.Attribute("role"));
        Assert.StartsWith("Bar chart of each person's votes", (string?)svg.Attribute("aria-label"), StringComparison.Ordinal);
        Assert.Empty(svg.Descendants(Svg + "image"));
    }
}
