using System.Collections.Concurrent;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Data;
using Bot.Data.Ports;
using Bot.Data.Web;
using Bot.Testing.Postgres;
using Bot.Web.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}

/// <summary>
/// The web view as the bot composes it (data layer, read ports, AddBotWeb) over a real PostgreSQL
/// database seeded with <see cref="Scenario"/>, and Debian's chromium driven by Playwright.
/// The agent loop's workers are not started: the scenario's runs stay where it left them.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    public const string SigningSecret = "web-tests-signing-secret-0123456789abcdef";
    public const string ChromiumPath = "/usr/bin/chromium";

    public PostgresDatabase Database { get; private set; } = null!;
    public IHost Host { get; private set; } = null!;
    public WebServer Server { get; private set; } = null!;
    public Scenario Scenario { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public ConcurrentQueue<string> Logs { get; } = new();
    public Uri BaseUrl => Server.LocalUrl;
    public IWebSignIn SignIn => Host.Services.GetRequiredService<IWebSignIn>();
    public IServiceProvider Services => Host.Services;

    /// <summary>Every page the tests open is photographed here (under the test output).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database.ConnectionString,
            ["Web:Port"] = "0",
            ["Web:SigningKey"] = SigningSecret,
            ["Web:LivePollInterval"] = "00:00:00.200",
            // Every test signs in from 127.0.0.1; the limit itself is tested on servers of its own (SignInLimitTests).
            ["Web:SignInLimit"] = "100000",
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddBotData(builder.Configuration);
        services.AddBotDataPorts(builder.Configuration);
        services.AddBotWebData();
        services.AddBotWeb(builder.Configuration);
        services.AddSingleton<IChatLinks, TestChatLinks>();
        Host = builder.Build();
        await Host.Services.GetRequiredService<BotDatabase>().StartAsync();
        Scenario = await Scenario.SeedAsync(Host.Services);
        Server = Host.Services.GetRequiredService<WebServer>();
        await Server.StartAsync(CancellationToken.None);

        Directory.CreateDirectory(ScreenshotFolder);
        // An upper bound for waits on what must appear (never a wait for absence): generous, the machine is shared.
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        // playwright install cannot download here: drive the distribution's chromium. --no-sandbox because the tests run as root.
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
    }

    /// <summary>A fresh browser context (its own cookies) signed in through a link from <see cref="IWebSignIn"/>.</summary>
    public async Task<IPage> SignedInAsync(ActorId actor, WebRole role)
    {
        var page = await NewPageAsync();
        var response = await page.GotoAsync(SignIn.CreateLink(actor, role).ToString());
        Assert.NotNull(response);
        Assert.Equal(BaseUrl + "runs", page.Url);
        return page;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        _contexts.Enqueue(context);
        return await context.NewPageAsync();
    }

    // Every open run page keeps a live stream polling the database; a test's pages are closed when it ends.
    private readonly ConcurrentQueue<IBrowserContext> _contexts = new();

    /// <summary>Closes the browser contexts (and so the pages and their live streams) opened so far.</summary>
    public async Task CloseContextsAsync()
    {
        while (_contexts.TryDequeue(out var context)) await context.CloseAsync();
    }

    /// <summary>For waits on a navigation: the URL is enough, since the assertions that follow wait for the page's content themselves.</summary>
    public static readonly PageWaitForURLOptions Navigated = new() { WaitUntil = WaitUntilState.Commit };

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        Host?.Dispose();
        if (Database is not null) await Database.DisposeAsync();
    }
}

/// <summary>Links back to the chat in the shape Discord's have, without Discord.</summary>
internal sealed class TestChatLinks : IChatLinks
{
    public string? MessageLink(ChatRef? thread, ChatRef? message) => thread is { } t && message is { } m ? $"https://discord.com/channels/1/{t}/{m}" : null;

    public string? ThreadLink(ChatRef? thread) => thread is { } t ? $"https://discord.com/channels/1/{t}" : null;
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
