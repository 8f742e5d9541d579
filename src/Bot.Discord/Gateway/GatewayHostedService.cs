using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Gateway;

/// <summary>Starts the singleton gateway client with the host, unless <c>Discord:ConnectGateway</c> is false.</summary>
internal sealed class GatewayHostedService(DiscordGatewayClient gateway, IOptions<DiscordOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ConnectGateway ? gateway.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        options.Value.ConnectGateway ? gateway.StopAsync(cancellationToken) : Task.CompletedTask;
}
