using Bot.Core.Results;
using Bot.Discord.Api;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Rest;

/// <summary><c>GET /gateway/bot</c> and <c>GET /applications/@me</c>; caches the application id.</summary>
public sealed class DiscordApplicationApi(DiscordHttp http, IOptions<DiscordOptions> options)
{
    private readonly SemaphoreSlim _idLock = new(1, 1);
    private ulong? _applicationId = options.Value.ApplicationId;

    public Task<Result<GatewayBot>> GetGatewayBotAsync(CancellationToken cancellationToken = default) =>
        http.SendAsync<GatewayBot>(DiscordRoute.Create(HttpMethod.Get, "gateway/bot"), null, null, cancellationToken);

    public Task<Result<Application>> GetCurrentApplicationAsync(CancellationToken cancellationToken = default) =>
        http.SendAsync<Application>(DiscordRoute.Create(HttpMethod.Get, "applications/@me"), null, null, cancellationToken);

    /// <summary>From configuration, else fetched once from Discord.</summary>
    public async Task<Result<ulong>> GetApplicationIdAsync(CancellationToken cancellationToken = default)
    {
        if (_applicationId is { } known)
        {
            return known;
        }
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_applicationId is { } cached)
            {
                return cached;
            }
            var app = await GetCurrentApplicationAsync(cancellationToken).ConfigureAwait(false);
            if (!app.IsSuccess)
            {
                return app.Error!;
            }
            _applicationId = app.Value.Id;
            return app.Value.Id;
        }
        finally
        {
            _idLock.Release();
        }
    }
}
