using System.ComponentModel.DataAnnotations;

namespace Bot.Web.Tests;

public sealed class WebOptionsTests
{
    private static List<string> Problems(WebOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    [Theory]
    [InlineData("ftp://bot.example.org/")]
    [InlineData("bot.example.org")]
    [InlineData("https://bot.example.org/?x=1")]
    public void A_public_url_that_links_cannot_start_with_is_refused_naming_the_setting(string url)
    {
        Assert.Contains(Problems(new WebOptions { PublicUrl = url }), p => p.StartsWith("Web:PublicUrl must be an absolute http(s) address", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_signing_key_is_refused_and_the_defaults_are_valid()
    {
        Assert.Contains(Problems(new WebOptions { SigningKey = "short" }), p => p.StartsWith("Web:SigningKey must be at least 32 characters", StringComparison.Ordinal));
        Assert.Empty(Problems(new WebOptions()));
        Assert.Equal(new Uri("https://bot.example.org/view/"), new WebOptions { PublicUrl = "https://bot.example.org/view" }.BaseUrl(5080));
        Assert.Equal(new Uri("http://127.0.0.1:5080/"), new WebOptions().BaseUrl(5080));
    }

    [Fact]
    public void A_sign_in_limit_that_would_refuse_everyone_or_never_reset_is_refused_naming_the_setting()
    {
        Assert.Contains(Problems(new WebOptions { SignInLimit = 0 }), p => p.StartsWith("Web:SignInLimit must be between 1 and 100000", StringComparison.Ordinal));
        Assert.Contains(Problems(new WebOptions { SignInLimitWindow = TimeSpan.FromDays(1) }), p => p.StartsWith("Web:SignInLimitWindow must be between", StringComparison.Ordinal));
        Assert.Contains(Problems(new WebOptions { SignInLimitWindow = TimeSpan.Zero }), p => p.StartsWith("Web:SignInLimitWindow must be between", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_generated_key_file_is_private_to_the_bot_and_reused()
    {
        var folder = Directory.CreateTempSubdirectory("web-key-").FullName;
        var options = new WebOptions { SigningKeyFile = "keys/web.key" };

        var first = Security.SigningKey.Load(options, folder);
        var again = Security.SigningKey.Load(options, folder);

        var path = Path.Combine(folder, "keys", "web.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(first.Bytes, again.Bytes);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var refused = Assert.Throws<InvalidOperationException>(() => Security.SigningKey.Load(options, folder));
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }
}
