using Bot.Discord.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Gateway;

/// <summary>Business code that reacts to gateway dispatches; resolved in its own DI scope per dispatch.</summary>
public interface IGatewayEventHandler
{
    /// <summary>Called for every dispatch; ignore the ones you do not handle (check <see cref="GatewayDispatch.Name"/>).</summary>
    Task HandleAsync(GatewayDispatch dispatch, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads the gateway's dispatch channel and runs the handlers, each dispatch in a fresh scope with a
/// timeout, several at a time, so one slow handler cannot stall the others or the receive loop.
/// </summary>
public sealed partial class GatewayEventDispatcher(
    DiscordGatewayClient gateway,
    IServiceScopeFactory scopes,
    IOptions<DiscordOptions> options,
    ILogger<GatewayEventDispatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _concurrency = new(options.Value.MaxConcurrentHandlers, options.Value.MaxConcurrentHandlers);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var dispatch in gateway.Dispatches.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await _concurrency.WaitAsync(stoppingToken).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunHandlersAsync(dispatch, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunHandlersAsync(GatewayDispatch dispatch, CancellationToken stoppingToken)
    {
        try
        {
            BotMetrics.DispatchWait.Record(BotMetrics.Since(dispatch.ReceivedAt));
            await using var scope = scopes.CreateAsyncScope();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.HandlerTimeout);
            foreach (var handler in scope.ServiceProvider.GetServices<IGatewayEventHandler>())
            {
                try
                {
                    await handler.HandleAsync(dispatch, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    LogTimeout(handler.GetType().Name, dispatch.Name, dispatch.Sequence);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHandlerFailed(ex, handler.GetType().Name, dispatch.Name, dispatch.Sequence);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            _concurrency.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler {Handler} timed out on {Event} (seq {Sequence})")]
    private partial void LogTimeout(string handler, string @event, int sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler {Handler} failed on {Event} (seq {Sequence})")]
    private partial void LogHandlerFailed(Exception exception, string handler, string @event, int sequence);
}
