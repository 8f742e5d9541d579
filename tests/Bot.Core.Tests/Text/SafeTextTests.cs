using Bot.Core.Text;

namespace Bot.Core.Tests.Text;

public sealed class SafeTextTests
{
    private static readonly string Emoji = string.Concat(Enumerable.Repeat("😀", 200));

    private static bool HasLoneSurrogate(string text) => !SafeText.IsStorable(text.Replace("\0", "", StringComparison.Ordinal));

    [Fact]
    public void Cutting_a_string_of_emoji_at_every_position_never_leaves_a_lone_surrogate()
    {
        for (var limit = 0; limit <= Emoji.Length + 1; limit++)
        {
            Assert.False(HasLoneSurrogate(SafeText.Cut(Emoji, limit)), $"Cut at {limit}");
            Assert.False(HasLoneSurrogate(SafeText.Prefix(Emoji, limit)), $"Prefix at {limit}");
            Assert.False(HasLoneSurrogate(SafeText.Suffix(Emoji, limit)), $"Suffix at {limit}");
            var (text, _) = SafeText.HeadTail(Emoji, limit, n => $"\n[... {n} characters omitted ...]\n");
            Assert.False(HasLoneSurrogate(text), $"HeadTail at {limit}");
            Assert.True(SafeText.Cut(Emoji, limit).Length <= Math.Max(0, limit), $"Cut at {limit} is over budget");
        }
    }

    [Fact]
    public void Head_and_tail_stay_within_the_budget_and_say_how_much_was_left_out()
    {
        var text = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('a' + i % 26)));
        var (cut, truncated) = SafeText.HeadTail(text, 500, n => $"\n[... {n} characters omitted ...]\n");
        Assert.True(truncated);
        Assert.True(cut.Length <= 500, $"{cut.Length} chars");
        var omitted = int.Parse(System.Text.RegularExpressions.Regex.Match(cut, @"\[\.\.\. (\d+) characters").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var marker = $"\n[... {omitted} characters omitted ...]\n";
        Assert.Equal(text.Length, cut.Length - marker.Length + omitted);
        Assert.StartsWith(text[..50], cut, StringComparison.Ordinal);
        Assert.EndsWith(text[^50..], cut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("e\u0301")]                 // e + combining acute
    [InlineData("👍🏽")]                      // thumbs up + skin tone
    [InlineData("👨\u200D👩\u200D👧")]        // family (joiner sequence)
    [InlineData("❤\uFE0F")]                 // heart + variation selector
    public void A_cut_does_not_split_a_grapheme_cluster(string cluster)
    {
        var text = string.Concat(Enumerable.Repeat(cluster, 20));
        for (var limit = 0; limit <= text.Length; limit++)
        {
            var prefix = SafeText.Prefix(text, limit);
            Assert.True(prefix.Length % cluster.Length == 0, $"Prefix at {limit} split a cluster: {prefix.Length} chars");
            var suffix = SafeText.Suffix(text, limit);
            Assert.True(suffix.Length % cluster.Length == 0, $"Suffix at {limit} split a cluster: {suffix.Length} chars");
        }
    }

    [Fact]
    public void An_endless_combining_sequence_is_still_cut_near_the_budget()
    {
        var zalgo = "a" + new string('\u0301', 5000);
        Assert.InRange(SafeText.Prefix(zalgo, 1000).Length, 1000 - 64, 1000);
        Assert.InRange(SafeText.Suffix(zalgo, 1000).Length, 1000 - 64, 1000);
    }

    [Fact]
    public void Nul_and_lone_surrogates_are_replaced_before_storage()
    {
        var stored = SafeText.ForStorage("a\0b\uD83Dc\uDE00d😀");
        Assert.Equal("a\uFFFDb\uFFFDc\uFFFDd😀", stored);
        Assert.True(SafeText.IsStorable(stored));
        Assert.False(SafeText.IsStorable("\0"));
        Assert.False(SafeText.IsStorable("x\uD83D"));
        var clean = "already fine 😀";
        Assert.Same(clean, SafeText.ForStorage(clean));
    }

    [Fact]
    public void Bidirectional_and_zero_width_characters_are_made_visible()
    {
        // "rm -rf ~ #" disguised: the override makes the tail display reversed.
        var shown = SafeText.RevealInvisible("echo safe\u202E# fr- mr\u202C; x\u200By\u2066z\u2069\uFEFF\u061C\u200E\u200F\u200C\u200D\u2060");
        Assert.Equal("echo safe<U+202E># fr- mr<U+202C>; x<U+200B>y<U+2066>z<U+2069><U+FEFF><U+061C><U+200E><U+200F><U+200C><U+200D><U+2060>", shown);
        foreach (var c in shown) Assert.False(SafeText.IsInvisibleControl(c), $"U+{(int)c:X4} is still there");
        Assert.Equal("plain text", SafeText.RevealInvisible("plain text"));
    }
}
