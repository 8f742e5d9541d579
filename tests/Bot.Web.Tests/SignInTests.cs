using System.Text;
using Bot.Core.Ports;
using Bot.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class SignInTests(WebFixture web) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => web.CloseContextsAsync();

    [Fact]
    public async Task A_link_from_web_signs_in_with_an_http_only_same_site_cookie_and_leaves_no_token_in_the_address()
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);

        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Runs");
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("contractor");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == WebAccess.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.Null(await page.EvaluateAsync<string?>("() => document.cookie.includes('bot_session') ? 'visible' : null"));
        await WebFixture.ScreenshotAsync(page, "01-runs-list");
    }

    [Fact]
    public async Task An_expired_link_is_refused_with_a_page_that_says_so()
    {
        // The same key, a clock an hour behind: the link's ten minutes ended fifty minutes ago.
        var past = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var tokens = new WebTokens(SigningKey.FromSecret(WebFixture.SigningSecret), past);
        var expired = tokens.Create(WebTokens.LinkPurpose, Scenario.Researcher, WebRole.Researcher, TimeSpan.FromMinutes(10));
        var page = await web.NewPageAsync();

        var response = await page.GotoAsync($"{web.BaseUrl}signin?token={Uri.EscapeDataString(expired)}");

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("This sign-in link has expired");
        Assert.Empty(await page.Context.CookiesAsync());
        await WebFixture.ScreenshotAsync(page, "07-expired-link");
    }

    [Fact]
    public async Task A_link_used_once_is_refused_the_second_time_even_within_its_lifetime()
    {
        var link = web.SignIn.CreateLink(Scenario.Bob, WebRole.Contractor).ToString();
        var first = await web.NewPageAsync();
        await first.GotoAsync(link);
        await Assertions.Expect(first.Locator("h1")).ToHaveTextAsync("Runs");

        // Someone else (a browser without Bob's cookie) opens the same link.
        var second = await web.NewPageAsync();
        var response = await second.GotoAsync(link);

        Assert.Equal(410, response!.Status);
        await Assertions.Expect(second.Locator("h1")).ToHaveTextAsync("This sign-in link was already used");
        await Assertions.Expect(second.Locator("main")).ToContainTextAsync("Type /web in the Discord server to ask for a new one.");
        Assert.Empty(await second.Context.CookiesAsync());
        await WebFixture.ScreenshotAsync(second, "09-link-already-used");
        Assert.Equal(401, (await second.GotoAsync($"{web.BaseUrl}runs"))!.Status);
        // Bob, who used it, is still signed in.
        Assert.Equal(200, (await first.GotoAsync($"{web.BaseUrl}runs"))!.Status);
    }

    [Fact]
    public async Task Of_two_redemptions_of_one_link_at_once_exactly_one_succeeds()
    {
        var ledger = web.Services.GetRequiredService<ISignInLinkLedger>();
        var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ledger.TryRedeemAsync(id, expires))));

        Assert.Equal(1, results.Count(r => r));
        Assert.False(await ledger.TryRedeemAsync(id, expires));
    }

    [Fact]
    public async Task A_used_link_is_forgotten_only_once_it_has_long_expired()
    {
        var ledger = web.Services.GetRequiredService<ISignInLinkLedger>();
        string NewId() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var (old, recent) = (NewId(), NewId());
        Assert.True(await ledger.TryRedeemAsync(old, DateTimeOffset.UtcNow - Bot.Data.Web.SignInLinkLedger.ClockAllowance - TimeSpan.FromMinutes(1)));
        // Expired, but within the allowance for another process's slower clock: still remembered.
        Assert.True(await ledger.TryRedeemAsync(recent, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1)));

        // Any redemption clears the rows past the allowance.
        Assert.True(await ledger.TryRedeemAsync(NewId(), DateTimeOffset.UtcNow.AddMinutes(10)));

        Assert.False(await ledger.TryRedeemAsync(recent, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1)));
        Assert.True(await ledger.TryRedeemAsync(old, DateTimeOffset.UtcNow.AddMinutes(10)));
    }

    [Fact]
    public async Task A_link_whose_role_was_changed_to_researcher_is_refused()
    {
        var link = web.SignIn.CreateLink(Scenario.Alice, WebRole.Contractor);
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(WebTokens.FromBase64Url(parts[1])).Replace("\"contractor\"", "\"researcher\"", StringComparison.Ordinal);
        Assert.Contains("researcher", payload, StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{WebTokens.Base64Url(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        var page = await web.NewPageAsync();

        var response = await page.GotoAsync($"{web.BaseUrl}signin?token={Uri.EscapeDataString(tampered)}");

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("This sign-in link is not valid");
        Assert.Empty(await page.Context.CookiesAsync());
        var activity = await page.GotoAsync($"{web.BaseUrl}activity");
        Assert.Equal(401, activity!.Status);
    }

    [Fact]
    public async Task A_page_opened_without_a_session_asks_to_sign_in_from_discord()
    {
        var page = await web.NewPageAsync();

        var response = await page.GotoAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}");

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("/web");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("find-password");
    }

    [Fact]
    public void A_session_cookie_is_not_accepted_as_a_sign_in_link()
    {
        var tokens = web.Services.GetRequiredService<WebTokens>();
        var session = tokens.Create(WebTokens.SessionPurpose, Scenario.Alice, WebRole.Researcher, TimeSpan.FromHours(1));

        var (identity, refusal) = tokens.Verify(session, WebTokens.LinkPurpose);

        Assert.Null(identity);
        Assert.Equal(TokenRefusal.WrongPurpose, refusal);
    }

    [Fact]
    public async Task The_sign_in_token_never_reaches_the_log()
    {
        var link = web.SignIn.CreateLink(Scenario.Bob, WebRole.Contractor);
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var page = await web.NewPageAsync();

        await page.GotoAsync(link.ToString());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Runs");

        Assert.NotEmpty(web.Logs);
        Assert.DoesNotContain(web.Logs, line => line.Contains(token[..40], StringComparison.Ordinal) || line.Contains(token[^20..], StringComparison.Ordinal));
        Assert.DoesNotContain(web.Logs, line => line.Contains(WebFixture.SigningSecret, StringComparison.Ordinal));
    }
}
