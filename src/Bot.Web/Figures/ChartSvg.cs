using System.Globalization;
using System.Xml.Linq;
using ScottPlot;

namespace Bot.Web.Figures;

/// <summary>
/// A ScottPlot plot as SVG to put inline in a page: a picture with an accessible name (the tables
/// beside each chart are the accessible, clickable form). Only vector output is accepted: ScottPlot
/// draws heat maps and colour bars as embedded PNGs (&lt;image href="data:…"&gt;), which the page's
/// content security policy (img-src 'self') refuses, so charts are drawn from shapes and this
/// refuses any image rather than show a broken one.
/// </summary>
public static class ChartSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>
    /// The font the plots measure text with: Debian's default sans (ScottPlot's own guess here is a
    /// serif). The page asks for it with the browser's sans-serif as the fallback.
    /// </summary>
    public const string FontName = "DejaVu Sans";

    public static string Inline(Plot plot, int width, int height, string cssClass, string accessibleName)
    {
        ArgumentNullException.ThrowIfNull(plot);
        // Parsing the output also proves it is well-formed XML: ScottPlot's Skia SVG writer encodes text.
        var document = XDocument.Parse(plot.GetSvgXml(width, height));
        var root = document.Root!;
        if (root.Descendants(Svg + "image").Any())
            throw new InvalidOperationException("The chart contains an embedded bitmap, which the page's content security policy would refuse; draw it from shapes.");
        root.SetAttributeValue("class", cssClass);
        root.SetAttributeValue("role", "img");
        root.SetAttributeValue("aria-label", accessibleName);
        // A viewBox lets the page scale the chart down on a narrow screen.
        root.SetAttributeValue("viewBox", string.Create(CultureInfo.InvariantCulture, $"0 0 {width} {height}"));
        root.AddFirst(new XElement(Svg + "title", accessibleName));
        foreach (var font in root.Descendants().Attributes("font-family")) font.Value += ", sans-serif";
        return root.ToString(SaveOptions.DisableFormatting);
    }
}
