using Bot.Core.Ports;
using Bot.Web.Hosting;
using Bot.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bot.Web.Pages;

/// <summary>
/// The link from <c>/web</c> is exchanged for a session cookie, once: a second use is refused even
/// within the link's lifetime. The token never stays in the address bar; attempts are rate-limited
/// per client address (<see cref="SignInRateLimit"/>).
/// </summary>
public static class SignInEndpoints
{
    public const string SignInPath = "/signin";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(SignInPath, async (HttpContext context, WebTokens tokens, ISignInLinkLedger ledger, PageRenderer pages, CancellationToken ct) =>
        {
            var (identity, refusal) = tokens.Verify(context.Request.Query["token"].ToString(), WebTokens.LinkPurpose);
            if (identity is null)
            {
                return refusal == TokenRefusal.Expired
                    ? await pages.MessageAsync(StatusCodes.Status401Unauthorized, "This sign-in link has expired",
                        "Sign-in links work for a few minutes only. Type /web in the Discord server for a new one.")
                    : await pages.MessageAsync(StatusCodes.Status401Unauthorized, "This sign-in link is not valid",
                        "The link was changed or cut short, so it was refused. Type /web in the Discord server for a new one and open it as it is.");
            }
            if (!await ledger.TryRedeemAsync(identity.TokenId, identity.ExpiresAt, ct))
            {
                // Whoever holds the session made with it stays signed in; the page shows that to them.
                return await pages.MessageAsync(StatusCodes.Status410Gone, "This sign-in link was already used",
                    "Each sign-in link works once. Type /web in the Discord server to ask for a new one.", WebAccess.Identity(context));
            }
            WebAccess.SetSession(context, identity);
            return Results.Redirect("/runs");
        }).RequireRateLimiting(SignInRateLimit.Policy);
        app.MapGet("/signout", (HttpContext context) =>
        {
            WebAccess.ClearSession(context);
            return Results.Redirect("/signed-out");
        });
        app.MapGet("/signed-out", (PageRenderer pages) =>
            pages.MessageAsync(StatusCodes.Status200OK, "Signed out", "You are signed out. Type /web in Discord to sign in again."));
        app.MapGet("/", () => Results.Redirect("/runs"));
    }
}
