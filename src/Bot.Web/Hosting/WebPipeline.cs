using Bot.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Web.Hosting;

/// <summary>Headers on every response, errors as pages, then the endpoints.</summary>
public static partial class WebPipeline
{
    /// <summary>Everything comes from the bot itself; no inline script or style, no framing, no form posts elsewhere.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static void Configure(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // The sign-in link's token must not leak to another site through the Referer header.
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            try
            {
                await next(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
            {
                LogPageFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebPipeline)), ex, context.Request.Path);
                context.Response.Clear();
                var page = await context.RequestServices.GetRequiredService<PageRenderer>().MessageAsync(StatusCodes.Status500InternalServerError,
                    "Something went wrong", "The page could not be made; the error is in the bot's log. Try again in a moment.");
                await page.ExecuteAsync(context);
            }
        });
        // Behind a proxy the client's address is the one the proxy adds (only a proxy on this
        // machine is believed: the view listens on 127.0.0.1), so the sign-in limit is per person.
        if (!string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptions<WebOptions>>().Value.PublicUrl))
            app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        app.UseRateLimiter();
        StaticAssets.Map(app);
        SignInEndpoints.Map(app);
        RunPages.Map(app);
        PeoplePages.Map(app);
        FigurePages.Map(app);
        ExportPages.Map(app);
        app.MapFallback(async context =>
        {
            var page = await context.RequestServices.GetRequiredService<PageRenderer>().MessageAsync(StatusCodes.Status404NotFound,
                "Not found", "There is no page at this address. Start from the list of runs.", Security.WebAccess.Identity(context));
            await page.ExecuteAsync(context);
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Web page {Path} failed")]
    private static partial void LogPageFailed(ILogger logger, Exception exception, string path);
}
