using System.Globalization;
using System.Text.RegularExpressions;

namespace Bot.Discord.Rest;

/// <summary>
/// One REST call's route: the template identifies the rate-limit route, the major parameter
/// (channel, guild, or webhook + token) splits its bucket, and interaction routes skip the global cap.
/// </summary>
public sealed partial record DiscordRoute(HttpMethod Method, string Template, string Path, string MajorParameter, bool IsInteraction)
{
    /// <summary>Key before Discord tells us the bucket hash: method + template + major parameter.</summary>
    public string RouteKey => $"{Method.Method} {Template} [{MajorParameter}]";

    public string Name => $"{Method.Method} /{Template}";

    /// <summary>Fills <c>{name}</c> placeholders in order with <paramref name="values"/> (escaped).</summary>
    public static DiscordRoute Create(HttpMethod method, string template, params object[] values)
    {
        var index = 0;
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Placeholder().Replace(template, match =>
        {
            var text = Convert.ToString(values[index++], CultureInfo.InvariantCulture)!;
            named[match.Groups[1].Value] = text;
            return text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' or '~' or '@') ? text : Uri.EscapeDataString(text);
        });
        if (index != values.Length)
        {
            throw new ArgumentException($"Route {template} expects {index} values, got {values.Length}.", nameof(values));
        }

        var isInteraction = template.StartsWith("interactions/", StringComparison.Ordinal)
            || template.StartsWith("webhooks/{application_id}/{interaction_token}", StringComparison.Ordinal);
        var major = named.TryGetValue("channel_id", out var c) ? c
            : named.TryGetValue("guild_id", out var g) ? g
            : named.TryGetValue("interaction_id", out var i) ? i
            : named.TryGetValue("interaction_token", out var t) ? $"{named.GetValueOrDefault("application_id")}/{t}"
            : string.Empty;
        return new DiscordRoute(method, template, path, major, isInteraction);
    }

    public DiscordRoute WithQuery(string query) => this with { Path = $"{Path}?{query}" };

    // Never print the path of an interaction route: it contains the interaction token.
    public override string ToString() => Name;

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
