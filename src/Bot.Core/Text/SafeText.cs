using System.Globalization;
using System.Text;

namespace Bot.Core.Text;

/// <summary>
/// Text from models, commands and people, made safe to cut, store and show. PostgreSQL refuses
/// NUL in text and jsonb, Npgsql refuses lone surrogates, and a cut by char index can leave
/// half a surrogate pair (or a combining mark without its base). Bidirectional overrides and
/// zero-width characters can make a command look different from what runs; shown to voters they
/// are spelled out instead.
/// </summary>
public static class SafeText
{
    public const string Ellipsis = "…";
    public const char Replacement = '\uFFFD';

    // A grapheme cluster longer than this (e.g. a pile of combining marks) is cut anyway, at a
    // code point boundary: a cut that falls back to the cluster's start could remove everything.
    private const int MaxClusterLookBack = 64;

    /// <summary>At most <paramref name="maxChars"/> chars of <paramref name="text"/>; when cut, ends with <paramref name="ellipsis"/> (counted in the budget).</summary>
    public static string Cut(string text, int maxChars, string ellipsis = Ellipsis)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars) return text;
        if (maxChars <= 0) return string.Empty;
        if (maxChars <= ellipsis.Length) return Prefix(ellipsis, maxChars);
        return string.Concat(Prefix(text, maxChars - ellipsis.Length), ellipsis);
    }

    /// <summary>The longest start of <paramref name="text"/> of at most <paramref name="maxChars"/> chars that ends on a character boundary.</summary>
    public static string Prefix(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars) return text;
        return text[..BoundaryAtOrBefore(text, Math.Max(0, maxChars))];
    }

    /// <summary>The longest end of <paramref name="text"/> of at most <paramref name="maxChars"/> chars that starts on a character boundary.</summary>
    public static string Suffix(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars) return text;
        return text[BoundaryAtOrAfter(text, text.Length - Math.Max(0, maxChars))..];
    }

    /// <summary>
    /// Keeps a head and a tail (errors are usually at the end) within <paramref name="limit"/>
    /// chars, joined by <paramref name="marker"/>(omitted chars). The head gets a third of the room.
    /// </summary>
    public static (string Text, bool Truncated) HeadTail(string text, int limit, Func<int, string> marker)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(marker);
        if (text.Length <= limit) return (text, false);
        // The marker's length depends on the count it shows; the count's digits are bounded by the text's.
        var room = Math.Max(0, limit - marker(text.Length).Length);
        var head = Prefix(text, room / 3);
        var tail = Suffix(text, room - head.Length);
        return ($"{head}{marker(text.Length - head.Length - tail.Length)}{tail}", true);
    }

    /// <summary>
    /// The largest index at or before <paramref name="index"/> where text can be cut: never between
    /// the halves of a surrogate pair, and not inside a grapheme cluster (emoji with modifiers or
    /// joiners, letters with combining marks) unless the cluster is unreasonably long.
    /// </summary>
    public static int BoundaryAtOrBefore(string text, int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (index <= 0) return 0;
        if (index >= text.Length) return text.Length;

        var start = Math.Max(0, index - MaxClusterLookBack);
        while (start < index && !LooksLikeClusterStart(text, start)) start++;
        if (start == index) return CodePointBoundary(text, index);

        var boundary = start;
        while (boundary < index)
        {
            var length = StringInfo.GetNextTextElementLength(text.AsSpan(boundary));
            if (length <= 0 || boundary + length > index) break;
            boundary += length;
        }
        return CodePointBoundary(text, boundary);
    }

    /// <summary>The smallest cut index at or after <paramref name="index"/> (see <see cref="BoundaryAtOrBefore"/>).</summary>
    public static int BoundaryAtOrAfter(string text, int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        var boundary = BoundaryAtOrBefore(text, index);
        while (boundary < index && boundary < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text.AsSpan(boundary));
            if (length <= 0) break;
            if (boundary + length - index > MaxClusterLookBack) return CodePointBoundaryUp(text, index);
            boundary += length;
        }
        return Math.Min(boundary, text.Length);
    }

    /// <summary>True when PostgreSQL text and jsonb accept <paramref name="text"/> as it is (no NUL, no lone surrogate).</summary>
    public static bool IsStorable(string? text)
    {
        if (text is null) return true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return false;
            }
            if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>NUL and lone surrogates replaced by U+FFFD; the same instance when there is nothing to replace.</summary>
    public static string ForStorage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsStorable(text)) return text;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') builder.Append(Replacement);
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) builder.Append(c).Append(text[++i]);
            else if (char.IsSurrogate(c)) builder.Append(Replacement);
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary><see cref="ForStorage(string)"/> that lets null through.</summary>
    public static string? ForStorageOrNull(string? text) => text is null ? null : ForStorage(text);

    /// <summary>True for characters that change how text is ordered or joined without being seen.</summary>
    public static bool IsInvisibleControl(char c) => c is
        '\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E'     // embeddings and overrides
        or '\u2066' or '\u2067' or '\u2068' or '\u2069'              // isolates
        or '\u200E' or '\u200F' or '\u061C'                          // marks
        or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF'; // zero-width

    /// <summary>
    /// Spells out bidirectional controls and zero-width characters (<c>&lt;U+202E&gt;</c>), so text shown
    /// to voters reads in the order it runs and hides nothing. Also makes it storable.
    /// </summary>
    public static string RevealInvisible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = ForStorage(text);
        if (!safe.AsSpan().ContainsAny(InvisibleControls)) return safe;
        var builder = new StringBuilder(safe.Length + 16);
        foreach (var c in safe)
        {
            if (IsInvisibleControl(c)) builder.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
            else builder.Append(c);
        }
        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> InvisibleControls = System.Buffers.SearchValues.Create(
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u200B\u200C\u200D\u2060\uFEFF");

    // A position where a grapheme cluster plausibly begins: not the second half of a pair, not a
    // mark, joiner, variation selector or skin-tone modifier, and not right after a joiner.
    private static bool LooksLikeClusterStart(string text, int i)
    {
        if (i == 0) return true;
        var c = text[i];
        if (char.IsLowSurrogate(c) || c is '\u200D' or (>= '\uFE00' and <= '\uFE0F')) return false;
        if (text[i - 1] == '\u200D' || (c == '\n' && text[i - 1] == '\r')) return false;
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            var cp = char.ConvertToUtf32(c, text[i + 1]);
            if (cp is >= 0x1F3FB and <= 0x1F3FF or >= 0xE0020 and <= 0xE007F) return false; // skin tones, tag characters
            return !IsMark(CharUnicodeInfo.GetUnicodeCategory(cp));
        }
        return !IsMark(CharUnicodeInfo.GetUnicodeCategory(c));
    }

    private static bool IsMark(UnicodeCategory category) =>
        category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static int CodePointBoundary(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]) ? index - 1 : index;

    private static int CodePointBoundaryUp(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]) ? index + 1 : index;
}
