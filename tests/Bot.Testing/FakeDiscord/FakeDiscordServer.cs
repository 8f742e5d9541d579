using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bot.Testing.FakeDiscord;

/// <summary>
/// An in-process Discord (REST + gateway) on 127.0.0.1 for tests. Point the client's
/// <c>Discord:ApiBaseUrl</c> at <see cref="ApiBaseUrl"/> and <c>Discord:Token</c> at <see cref="Token"/>.
/// Disposing it throws if any request broke Discord's rules, so the test that caused it fails.
/// </summary>
public sealed partial class FakeDiscordServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Violation> _violations = [];

    private FakeDiscordServer(WebApplication app, FakeDiscordOptions options)
    {
        _app = app;
        Options = options;
        Store = new FakeDiscordStore(options);
        RateLimits = new FakeRateLimits(options);
        Faults = new FakeRestFaults();
        Gateway = new FakeGateway(options, Store);
        Rest = new FakeRestApi(options, Store, Gateway, RateLimits, Faults, Report);
    }

    public FakeDiscordOptions Options { get; }
    public FakeDiscordStore Store { get; }
    public FakeGateway Gateway { get; }
    public FakeRestApi Rest { get; }
    public FakeRateLimits RateLimits { get; }
    public FakeRestFaults Faults { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The value for <c>Discord:ApiBaseUrl</c>.</summary>
    public string ApiBaseUrl => $"{BaseUrl}/api/v10";

    /// <summary>What <c>GET /gateway/bot</c> returns.</summary>
    public string GatewayUrl => $"{Gateway.WebSocketBase}/gw";

    public string Token => Options.Token;
    public ulong ApplicationId => Options.ApplicationId;
    public ulong GuildId => Options.GuildId;

    /// <summary>The first text channel, for tests that need just one.</summary>
    public ulong DefaultChannelId => Store.Channels.First(c => c.ParentId is null).Id;

    /// <summary>When true (default), DisposeAsync throws if violations were recorded.</summary>
    public bool ThrowOnDisposeIfViolations { get; set; } = true;

    public static async Task<FakeDiscordServer> StartAsync(Action<FakeDiscordOptions>? configure = null)
    {
        var options = new FakeDiscordOptions();
        configure?.Invoke(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeDiscordServer(app, options);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(server.DispatchAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        server.Gateway.WebSocketBase = "ws" + server.BaseUrl["http".Length..];
        // Build the spec registry now rather than inside the first request's timing.
        SpecValidator.Validate("SnowflakeType", System.Text.Json.Nodes.JsonValue.Create("1"));
        return server;
    }

    private Task DispatchAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? string.Empty).TrimEnd('/');
        if (path == "/gw")
        {
            return Gateway.HandleAsync(context, viaResumeUrl: false);
        }
        if (path == "/gw-resume")
        {
            return Gateway.HandleAsync(context, viaResumeUrl: true);
        }
        if (path.StartsWith("/api/v10/", StringComparison.Ordinal))
        {
            return Rest.HandleAsync(context);
        }
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    public IReadOnlyList<Violation> Violations
    {
        get
        {
            lock (_violations)
            {
                return _violations.ToList();
            }
        }
    }

    public void ClearViolations()
    {
        lock (_violations)
        {
            _violations.Clear();
        }
    }

    /// <summary>Throws with every recorded violation, listed readably.</summary>
    public void AssertNoViolations()
    {
        var violations = Violations;
        if (violations.Count > 0)
        {
            throw new FakeDiscordViolationException(violations);
        }
    }

    private void Report(Violation violation)
    {
        lock (_violations)
        {
            _violations.Add(violation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in Gateway.Connections.Where(c => c.IsOpen))
        {
            connection.Abort();
        }
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (ThrowOnDisposeIfViolations)
        {
            AssertNoViolations();
        }
    }
}
