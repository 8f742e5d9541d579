using System.Globalization;
using System.Threading.RateLimiting;
using Bot.Core.Reporting.Figures;
using Bot.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Web.Security;

/// <summary>
/// At most <see cref="WebOptions.SignInLimit"/> sign-in attempts per client address per
/// <see cref="WebOptions.SignInLimitWindow"/> (ASP.NET Core's rate limiter, a fixed window per
/// address). Bad links count too: a link is useless without the key, but each attempt costs a
/// signature check and, for a good one, a database write.
/// </summary>
public static class SignInRateLimit
{
    public const string Policy = "sign-in";

    public static void Add(IServiceCollection services, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInLimit, Window = options.SignInLimitWindow, QueueLimit = 0 }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.SignInLimitWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var page = await context.RequestServices.GetRequiredService<PageRenderer>().MessageAsync(StatusCodes.Status429TooManyRequests,
                    "Too many sign-in attempts",
                    string.Create(CultureInfo.InvariantCulture, $"Sign-in was tried too often from your address (at most {options.SignInLimit} times in {FigureText.Seconds(options.SignInLimitWindow.TotalSeconds)}). Try again in {FigureText.Seconds(seconds)}, with a new link from /web in the Discord server."));
                await page.ExecuteAsync(context);
            };
        });
    }
}
