using System.ComponentModel.DataAnnotations;

namespace Bot.Web;

/// <summary>The web view (<c>Web</c> section). On by default, bound to 127.0.0.1 only.</summary>
public sealed class WebOptions : IValidatableObject
{
    public const string SectionName = "Web";

    public bool Enabled { get; set; } = true;

    /// <summary>Port on 127.0.0.1; 0 picks a free one (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 5080;

    /// <summary>
    /// The address people reach the view at through a proxy (for example https://bot.example.org/).
    /// Sign-in links use it; when it is set, Discord messages carry link buttons to their pages.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>The HMAC key for links and sessions (environment only: <c>Web__SigningKey</c>, at least 32 characters).
    /// Empty: a random key is generated into <see cref="SigningKeyFile"/> (mode 0600) and reused.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Relative to the content root.</summary>
    [Required]
    public string SigningKeyFile { get; set; } = ".data/web-signing.key";

    [Range(1, 60)]
    public int LinkLifetimeMinutes { get; set; } = 10;

    [Range(1, 168)]
    public int SessionHours { get; set; } = 8;

    /// <summary>
    /// Sign-in attempts (good links or bad) one client address may make per <see cref="SignInLimitWindow"/>;
    /// more are answered 429. Behind a proxy (<see cref="PublicUrl"/> set) the address is the one the
    /// proxy gives in X-Forwarded-For.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Web:SignInLimit must be between 1 and 100000 sign-in attempts per window.")]
    public int SignInLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Web:SignInLimitWindow must be between 00:00:01 and 01:00:00.")]
    public TimeSpan SignInLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often an open run page's server side checks the run for changes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LivePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(PublicUrl)
            && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.Query)))
            yield return new ValidationResult($"Web:PublicUrl must be an absolute http(s) address without a query (got '{PublicUrl}').", [nameof(PublicUrl)]);
        if (!string.IsNullOrEmpty(SigningKey) && SigningKey.Length < 32)
            yield return new ValidationResult("Web:SigningKey must be at least 32 characters; leave it empty to have the bot generate one.", [nameof(SigningKey)]);
    }

    /// <summary>The base every link starts with: the public address, else the local one.</summary>
    public Uri BaseUrl(int boundPort) => !string.IsNullOrWhiteSpace(PublicUrl)
        ? new Uri(PublicUrl.EndsWith('/') ? PublicUrl : PublicUrl + "/")
        : new Uri($"http://127.0.0.1:{boundPort}/");
}
