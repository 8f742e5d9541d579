using Bot.Core.Ports;
using Bot.Data.Ports;
using Bot.Discord;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Presenting;
using Bot.Host.Scheduling;
using Bot.Host.Scheduling.Digest;

namespace Bot.Host;

public static class BotApplicationServiceCollectionExtensions
{
    /// <summary>
    /// Everything that faces Discord: the client, the bot adapter over the data ports, the
    /// scheduled jobs, and the Discord side of the agent loop (step messages and run notices).
    /// </summary>
    public static IServiceCollection AddBotApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDiscordClient(configuration);
        services.AddBotDataPorts(configuration);
        services.AddDiscordBot(configuration);
        services.AddBotScheduling(configuration);

        services.AddSingleton<IRunNotices, DiscordRunNotices>();
        services.AddSingleton<IDigestPublisher, DigestPublisher>();
        services.AddSingleton<IWorkHandler, RenderStepHandler>();
        services.AddSingleton<IWorkHandler, PostCalibrationHandler>();
        return services;
    }
}
