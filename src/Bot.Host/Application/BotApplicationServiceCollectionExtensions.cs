using Bot.Core.Ports;
using Bot.Data.Ports;
using Bot.Data.Work;
using Bot.Discord;
using Bot.Discord.Bot;
using Bot.Host.Agent;
using Bot.Host.Scheduling;

namespace Bot.Host.Application;

public static class BotApplicationServiceCollectionExtensions
{
    /// <summary>
    /// Everything that faces Discord: the client, the bot adapter over the data ports, the
    /// scheduled jobs, and the adapters that let the agent loop and the adapter see each other.
    /// </summary>
    public static IServiceCollection AddBotApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDiscordClient(configuration);
        services.AddBotDataPorts(configuration);
        services.AddDiscordBot(configuration);
        services.AddBotScheduling(configuration);

        services.AddSingleton<ITaskCatalogView, TaskCatalogView>();
        services.AddSingleton<IModelProfiles, ModelProfilesView>();
        services.AddSingleton<IRunAnnouncer, DiscordRunAnnouncer>();
        services.AddSingleton<IDigestPublisher, DigestPublisher>();
        services.AddSingleton<IWorkHandler, RenderStepHandler>();
        return services;
    }
}
