using System.Collections.Concurrent;
using Bot.Discord;
using Bot.Discord.Api;
using Bot.Discord.Gateway;
using Bot.Discord.Rest;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Tests;

/// <summary>The production client, wired by AddDiscordClient, pointed at a fake Discord with short timings.</summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _drain = Task.CompletedTask;

    private ClientHarness(ServiceProvider services, CapturingLoggerProvider logs)
    {
        Services = services;
        Logs = logs;
    }

    public ServiceProvider Services { get; }
    public CapturingLoggerProvider Logs { get; }
    public ConcurrentQueue<GatewayDispatch> Received { get; } = new();

    public DiscordGatewayClient Gateway => Services.GetRequiredService<DiscordGatewayClient>();
    public DiscordMessagesApi Messages => Services.GetRequiredService<DiscordMessagesApi>();
    public DiscordThreadsApi Threads => Services.GetRequiredService<DiscordThreadsApi>();
    public DiscordInteractionsApi Interactions => Services.GetRequiredService<DiscordInteractionsApi>();
    public DiscordCommandsApi Commands => Services.GetRequiredService<DiscordCommandsApi>();
    public DiscordApplicationApi Application => Services.GetRequiredService<DiscordApplicationApi>();
    public DiscordHttp Http => Services.GetRequiredService<DiscordHttp>();

    public static ClientHarness Create(FakeDiscordServer fake, Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Discord:Token"] = fake.Token,
            ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl,
            ["Discord:RetryBaseDelay"] = "00:00:00.020",
            ["Discord:RequestTimeout"] = "00:00:05",
            ["Discord:UnknownResetWait"] = "00:00:00.100",
            ["Discord:ReconnectBaseDelay"] = "00:00:00.050",
            ["Discord:ReconnectMaxDelay"] = "00:00:00.500",
            ["Discord:IdentifyMinInterval"] = "00:00:00.100",
            ["Discord:IdentifyConcurrencyWindow"] = "00:00:00.100",
            ["Discord:HandlerTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        var logs = new CapturingLoggerProvider();
        collection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddDiscordClient(configuration);
        services?.Invoke(collection);
        return new ClientHarness(collection.BuildServiceProvider(validateScopes: true), logs);
    }

    /// <summary>Starts the gateway and collects every dispatch it hands out.</summary>
    public async Task StartGatewayAsync(bool drain = true)
    {
        await Gateway.StartAsync(CancellationToken.None);
        if (drain)
        {
            _drain = Task.Run(async () =>
            {
                try
                {
                    await foreach (var dispatch in Gateway.Dispatches.ReadAllAsync(_stop.Token))
                    {
                        Received.Enqueue(dispatch);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Test over.
                }
            });
        }
    }

    public IReadOnlyList<GatewayDispatch> ReceivedNamed(string name) => Received.Where(d => d.Name == name).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Gateway.StopAsync(CancellationToken.None);
        await _drain;
        await Services.DisposeAsync();
    }
}

/// <summary>Keeps log lines so tests can check what an operator would see.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((logLevel, formatter(state, exception)));
    }
}

internal static class Wait
{
    /// <summary>Polls a condition with a generous timeout (only to avoid hangs, never to assert speed).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(20);
        }
    }
}
