using Bot.Discord.Gateway;
using Bot.Discord.Rest;
using Bot.Discord.Rest.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bot.Discord;

public static class DiscordServiceCollectionExtensions
{
    public const string HttpClientName = "Discord";

    /// <summary>
    /// Registers the REST client areas, the rate limiter, the gateway client (hosted) and the
    /// dispatcher that runs every registered <see cref="IGatewayEventHandler"/>.
    /// </summary>
    public static IServiceCollection AddDiscordClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDiscordSettings(configuration)
            .ValidateDataAnnotations()
            .Validate(o => DiscordOptions.IsSecureOrLoopback(o.ApiBaseUrl, "https"), DiscordOptions.InsecureApiBaseUrl)
            .Validate(o => string.IsNullOrEmpty(o.GatewayUrl) || DiscordOptions.IsSecureOrLoopback(o.GatewayUrl, "wss"), DiscordOptions.InsecureGatewayUrl)
            .ValidateOnStart();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, ShardSelection.Validator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGatewaySocketFactory, ClientWebSocketFactory>();
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);

        services.AddSingleton<DiscordRateLimiter>();
        // One DiscordHttp for the process: its 401 stop flag and the limiter must be shared.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<DiscordHttp>(
            sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.AddSingleton<DiscordMessagesApi>();
        services.AddSingleton<DiscordThreadsApi>();
        services.AddSingleton<DiscordInteractionsApi>();
        services.AddSingleton<DiscordCommandsApi>();
        services.AddSingleton<DiscordApplicationApi>();

        services.AddSingleton<DiscordGatewayClient>();
        services.AddHostedService(sp => new GatewayHostedService(
            sp.GetRequiredService<DiscordGatewayClient>(), sp.GetRequiredService<IOptions<DiscordOptions>>()));
        services.AddHostedService<GatewayEventDispatcher>();
        return services;
    }

    /// <summary>
    /// Binds the <c>Discord</c> section to <see cref="DiscordOptions"/> once, however many parts of
    /// the bot read it (client, bot adapter, scheduled posts). Each part adds the checks of the keys it needs.
    /// </summary>
    public static OptionsBuilder<DiscordOptions> AddDiscordSettings(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddOptions<DiscordOptions>();
        if (services.Any(d => d.ServiceType == typeof(DiscordSettingsBound))) return builder;
        services.AddSingleton<DiscordSettingsBound>();
        return builder.Bind(configuration.GetSection(DiscordOptions.SectionName));
    }

    /// <summary>Marks the section as bound, so a second caller does not bind it again.</summary>
    private sealed class DiscordSettingsBound;
}
