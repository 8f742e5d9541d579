using Bot.Core.Ports;
using Bot.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

/// <summary>
/// The sign-in rate limit, on web servers of their own over the fixture's data and signer (the
/// fixture's server allows every test to sign in). The window is an hour, so it cannot roll over
/// while a test runs.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class SignInLimitTests(WebFixture web) : IAsyncLifetime
{
    private readonly List<WebServer> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await web.CloseContextsAsync();
        foreach (var server in _servers) await server.DisposeAsync();
    }

    private async Task<WebServer> StartAsync(int limit, string? publicUrl = null)
    {
        var options = new WebOptions { Port = 0, SigningKey = WebFixture.SigningSecret, SignInLimit = limit, SignInLimitWindow = TimeSpan.FromHours(1), PublicUrl = publicUrl };
        var loggers = web.Services.GetRequiredService<ILoggerFactory>();
        var server = new WebServer(web.Services, Options.Create(options), loggers, loggers.CreateLogger<WebServer>());
        _servers.Add(server);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    [Fact]
    public async Task Sign_in_attempts_past_the_limit_are_answered_429_with_a_page_that_says_when_to_try_again()
    {
        var server = await StartAsync(limit: 3);
        var page = await web.NewPageAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal(401, (await page.GotoAsync($"{server.LocalUrl}signin?token=guess-{i}"))!.Status);

        // A good link past the limit is refused too, and not used up.
        var link = web.SignIn.CreateLink(Scenario.Alice, WebRole.Contractor);
        var response = await page.GotoAsync($"{server.LocalUrl}signin{link.Query}");

        Assert.Equal(429, response!.Status);
        Assert.True(int.Parse(response.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 3600);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Too many sign-in attempts");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("at most 3 times in 1h 0m");
        Assert.Empty(await page.Context.CookiesAsync());
        await WebFixture.ScreenshotAsync(page, "14-sign-in-rate-limited");
        // The limit is on sign-in only; the same link still works where the address has attempts left.
        var other = await web.NewPageAsync();
        await other.GotoAsync(link.ToString());
        await Assertions.Expect(other.Locator("h1")).ToHaveTextAsync("Runs");
        Assert.Equal(401, (await page.GotoAsync($"{server.LocalUrl}runs"))!.Status);
    }

    [Fact]
    public async Task Behind_a_proxy_each_forwarded_client_address_has_its_own_limit()
    {
        var server = await StartAsync(limit: 1, publicUrl: "https://bot.example.org/");
        using var http = new HttpClient { BaseAddress = server.LocalUrl };
        async Task<int> AttemptAsync(string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "signin?token=guess");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await http.SendAsync(request);
            return (int)response.StatusCode;
        }

        Assert.Equal(401, await AttemptAsync("203.0.113.7"));
        Assert.Equal(429, await AttemptAsync("203.0.113.7"));
        Assert.Equal(401, await AttemptAsync("203.0.113.8"));
    }
}
