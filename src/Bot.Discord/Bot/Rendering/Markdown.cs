using System.Globalization;
using System.Text;
using Bot.Core.Text;

namespace Bot.Discord.Bot.Rendering;

/// <summary>
/// Makes model and user text safe to place in Discord markdown: code blocks that cannot be closed
/// from inside, inline text that cannot start formatting, and truncation that says so.
/// </summary>
public static class Markdown
{
    /// <summary>Zero-width joiner: splits a run of backticks so it can no longer close a fence.</summary>
    public const char Joiner = '\u200D';
    public const string Ellipsis = "…";

    /// <summary>A fenced code block holding <paramref name="text"/>, at most <paramref name="maxLength"/> characters in total.</summary>
    public static string CodeBlock(string text, int maxLength, string language = "")
    {
        var overhead = 3 + language.Length + 1 + 1 + 3; // ```lang\n ... \n```
        var body = NeutraliseFences(text.Replace("\r\n", "\n", StringComparison.Ordinal));
        body = Truncate(body, Math.Max(0, maxLength - overhead));
        if (body.Length == 0) body = " ";
        return $"```{language}\n{body}\n```";
    }

    /// <summary>Inserts a joiner after every backtick that is followed by another, so "```" never appears.</summary>
    public static string NeutraliseFences(string text)
    {
        if (!text.Contains("``", StringComparison.Ordinal)) return text;
        var builder = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            builder.Append(text[i]);
            if (text[i] == '`' && i + 1 < text.Length && text[i + 1] == '`') builder.Append(Joiner);
        }
        return builder.ToString();
    }

    /// <summary>Escapes markdown and mention syntax in text shown outside code blocks.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var ch in text)
        {
            if (ch is '\\' or '*' or '_' or '~' or '`' or '|' or '>' or '#' or '[' or ']' or '(' or ')' or '<' or '-' or '@' or ':')
                builder.Append('\\');
            builder.Append(ch);
        }
        return builder.ToString();
    }

    /// <summary>Escaped, on one line, and at most <paramref name="maxLength"/> characters.</summary>
    public static string Inline(string text, int maxLength)
    {
        var oneLine = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return TruncateEscaped(oneLine, maxLength);
    }

    /// <summary>Escaped multi-line text at most <paramref name="maxLength"/> characters.</summary>
    public static string Block(string text, int maxLength) => TruncateEscaped(text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim(), maxLength);

    /// <summary>Plain text (no escaping) for places markdown does not apply: labels, placeholders, names.</summary>
    public static string Plain(string text, int maxLength)
    {
        var oneLine = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return Truncate(oneLine, maxLength);
    }

    public static string Truncate(string text, int maxLength)
    {
        // Never splits a surrogate pair or a grapheme cluster.
        return SafeText.Cut(text, maxLength, Ellipsis);
    }

    /// <summary>Discord's relative timestamp ("in 12 minutes"), rendered by each client in its own time.</summary>
    public static string RelativeTime(DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"<t:{at.ToUnixTimeSeconds()}:R>");

    public static string Channel(ulong id) => string.Create(CultureInfo.InvariantCulture, $"<#{id}>");

    public static string UserMention(ulong id) => string.Create(CultureInfo.InvariantCulture, $"<@{id}>");

    private static string TruncateEscaped(string text, int maxLength)
    {
        var escaped = Escape(text);
        if (escaped.Length <= maxLength) return escaped;
        // Cut the raw text so no escape is split from the character it escapes.
        var raw = text;
        while (raw.Length > 0 && Escape(raw).Length + Ellipsis.Length > maxLength)
            raw = SafeText.Prefix(raw, Math.Max(0, raw.Length - Math.Max(1, (Escape(raw).Length + Ellipsis.Length - maxLength) / 2)));
        return Escape(raw) + Ellipsis;
    }
}
