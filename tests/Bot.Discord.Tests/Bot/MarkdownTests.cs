using Bot.Discord.Bot.Rendering;

namespace Bot.Discord.Tests.Bot;

public sealed class MarkdownTests
{
    [Theory]
    [InlineData("echo ```; @everyone")]
    [InlineData("````````")]
    [InlineData("a``b```")]
    public void Text_in_a_code_block_cannot_close_the_fence(string text)
    {
        var block = Markdown.CodeBlock(text, 200, "bash");
        var inner = block["```bash\n".Length..^"\n```".Length];
        Assert.DoesNotContain("```", inner, StringComparison.Ordinal);
        Assert.StartsWith("```bash\n", block, StringComparison.Ordinal);
        Assert.EndsWith("\n```", block, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_code_is_truncated_inside_the_fence_and_says_so()
    {
        var block = Markdown.CodeBlock(new string('x', 5000), 300);
        Assert.True(block.Length <= 300);
        Assert.EndsWith("…\n```", block, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_text_escapes_markdown_and_mentions()
    {
        var text = Markdown.Inline("**bold** <@123> [link](http://x) `code`", 200);
        Assert.DoesNotContain("**", text.Replace("\\*", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\\<\\@123\\>", text, StringComparison.Ordinal);
        Assert.Contains("\\[link\\]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_truncation_never_leaves_a_dangling_escape()
    {
        var text = Markdown.Inline(new string('*', 300), 101);
        Assert.True(text.Length <= 101);
        Assert.EndsWith("\\*…", text, StringComparison.Ordinal);
    }
}
