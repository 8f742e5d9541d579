using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Bot.Discord.Api;
using Bot.Discord.Gateway;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Tests;

public sealed class DispatcherTests
{
    private sealed class Recorder
    {
        public ConcurrentBag<(string Event, Guid Scope)> Seen { get; } = [];
    }

    private sealed class ScopeMarker
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    private sealed class RecordingHandler(Recorder recorder, ScopeMarker scope) : IGatewayEventHandler
    {
        public Task HandleAsync(GatewayDispatch dispatch, CancellationToken cancellationToken = default)
        {
            recorder.Seen.Add((dispatch.Name == "MESSAGE_CREATE" ? dispatch.Data.GetProperty("content").GetString()! : dispatch.Name, scope.Id));
            return Task.CompletedTask;
        }
    }

    private sealed class HangingHandler : IGatewayEventHandler
    {
        public Task HandleAsync(GatewayDispatch dispatch, CancellationToken cancellationToken = default) =>
            dispatch.Name == "MESSAGE_CREATE" && dispatch.Data.GetProperty("content").GetString() == "hang"
                ? Task.Delay(Timeout.Infinite, cancellationToken)
                : Task.CompletedTask;
    }

    [Fact]
    public async Task Handlers_run_per_dispatch_in_their_own_scope_and_a_hanging_handler_times_out()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        var recorder = new Recorder();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:HandlerTimeout"] = "00:00:00.300" }, services =>
        {
            services.AddSingleton(recorder);
            services.AddScoped<ScopeMarker>();
            services.AddScoped<IGatewayEventHandler, HangingHandler>();
            services.AddScoped<IGatewayEventHandler, RecordingHandler>();
        });
        var dispatcher = client.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<GatewayEventDispatcher>().Single();
        await client.StartGatewayAsync(drain: false);
        await dispatcher.StartAsync(CancellationToken.None);
        await fake.WaitForReadyAsync();

        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", new JsonObject { ["content"] = "hang" });
        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", new JsonObject { ["content"] = "after" });
        await Wait.UntilAsync(() => recorder.Seen.Any(s => s.Event == "after") && recorder.Seen.Any(s => s.Event == "hang"), "both dispatches handled");
        await Wait.UntilAsync(() => client.Logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains("timed out", StringComparison.Ordinal)), "the timeout warning");
        await dispatcher.StopAsync(CancellationToken.None);

        Assert.Equal(recorder.Seen.Count, recorder.Seen.Select(s => s.Scope).Distinct().Count());
        Assert.Contains(recorder.Seen, s => s.Event == "READY");
    }

    [Fact]
    public async Task Large_dispatches_split_over_many_frames_arrive_whole()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        await client.StartGatewayAsync();
        await fake.WaitForReadyAsync();
        var big = new string('z', 50_000);

        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", new JsonObject { ["content"] = big });

        await Wait.UntilAsync(() => client.ReceivedNamed("MESSAGE_CREATE").Count == 1, "the big dispatch");
        Assert.Equal(big, client.ReceivedNamed("MESSAGE_CREATE")[0].Data.GetProperty("content").GetString());
    }
}
