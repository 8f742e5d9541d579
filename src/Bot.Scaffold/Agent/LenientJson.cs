using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bot.Scaffold.Agent;

/// <summary>Finds the JSON value in a model reply that may wrap it in prose or a ```json fence.</summary>
public static partial class LenientJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static JsonDocument? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var fence = Fence().Match(text);
        var candidates = new List<string>();
        if (fence.Success)
        {
            candidates.Add(fence.Groups[1].Value);
        }
        candidates.Add(text);
        foreach (var candidate in candidates)
        {
            foreach (var (open, close) in new[] { ('{', '}'), ('[', ']') })
            {
                var start = candidate.IndexOf(open);
                var end = candidate.LastIndexOf(close);
                if (start < 0 || end <= start)
                {
                    continue;
                }
                try
                {
                    return JsonDocument.Parse(candidate[start..(end + 1)], Options);
                }
                catch (JsonException)
                {
                    // Try the next shape; a reply may hold an array inside prose with braces.
                }
            }
        }
        return null;
    }

    [GeneratedRegex(@"```(?:json)?[ \t]*\n(.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Fence();
}
