using System.Net;
using Bot.Core.Ports;
using Bot.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Web.Hosting;

/// <summary>
/// The web view's own Kestrel on 127.0.0.1, started and stopped with the bot. It has a container
/// of its own holding only what pages need (read ports, the clock, the token signer), forwarded
/// from the bot's, so nothing else of the bot is reachable from a request.
/// </summary>
public sealed partial class WebServer(IServiceProvider bot, IOptions<WebOptions> options, ILoggerFactory loggerFactory, ILogger<WebServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address it listens on (known once started).</summary>
    public Uri LocalUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The address links start with: <c>Web:PublicUrl</c>, else <see cref="LocalUrl"/>.</summary>
    public Uri BaseUrl => options.Value.BaseUrl(LocalUrl.Port);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var web = options.Value;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(WebServer).Assembly.GetName().Name });
        // The bot's configuration is not re-read here: everything the view needs is passed in.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        // Request lines carry the sign-in token in the query string: never log them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, web.Port);
        });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(bot.GetRequiredService<TimeProvider>());
        services.AddSingleton(bot.GetRequiredService<WebTokens>());
        services.AddSingleton(bot.GetRequiredService<IRunDirectory>());
        services.AddSingleton(bot.GetRequiredService<IRunBrowser>());
        services.AddSingleton(bot.GetRequiredService<IStatsReader>());
        if (bot.GetService<IChatLinks>() is { } chat) services.AddSingleton(chat);
        services.AddSingleton(bot.GetRequiredService<IRunTreeReader>());
        services.AddSingleton(bot.GetRequiredService<IFigures>());
        services.AddSingleton(bot.GetRequiredService<IDatasetExport>());
        services.AddSingleton(bot.GetRequiredService<ISignInLinkLedger>());
        services.AddSingleton<PageRenderer>();
        SignInRateLimit.Add(services, web);

        var app = builder.Build();
        WebPipeline.Configure(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"The web view could not listen on 127.0.0.1:{web.Port} ({ex.Message}). Set Web:Port (Web__Port) to a free port, or Web:Enabled=false to turn the view off.", ex);
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        LocalUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        LogListening(LocalUrl, string.IsNullOrWhiteSpace(web.PublicUrl) ? "(not set: links use the local address)" : BaseUrl.ToString());
    }

    /// <summary>The mapped endpoints, for the test that every page checks a role.</summary>
    internal IEnumerable<Microsoft.AspNetCore.Routing.EndpointDataSource> EndpointSources =>
        ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder?)_app)?.DataSources ?? [];

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _app = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web view listening on {LocalUrl}; Web:PublicUrl {PublicUrl}")]
    private partial void LogListening(Uri localUrl, string publicUrl);
}

/// <summary>Sends the web app's logs to the bot's logging, whose filters and format then apply.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose() { }
}
