using Bot.Core.Ports;
using Bot.Discord.Bot.Commands;
using Bot.Discord.Bot.Interactions;
using Bot.Discord.Bot.Presenting;
using Bot.Discord.Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bot.Discord.Bot;

public static class BotServiceCollectionExtensions
{
    /// <summary>
    /// The bot adapter: interaction routing, handlers, presenter and command registration. Needs
    /// <see cref="DiscordServiceCollectionExtensions.AddDiscordClient"/> and implementations of the
    /// Bot.Core run ports (Bot.Data's AddBotDataPorts) plus <c>ITaskCatalogView</c> and <c>IModelProfiles</c>.
    /// </summary>
    public static IServiceCollection AddDiscordBot(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDiscordSettings(configuration)
            .Validate(o => o.GuildId > 0, "Discord:GuildId must be set: it is the guild whose slash commands the bot registers.")
            .Validate(o => o.RunsChannelId > 0, "Discord:RunsChannelId must be set: it is the channel run threads open in.")
            .Validate(o => o.TagTaxonomy.All(t => System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z0-9][a-z0-9_-]{0,63}$")),
                "Discord:TagTaxonomy entries are lower-case letters, digits, '-' or '_' (up to 64).")
            .ValidateOnStart();
        services.AddOptions<GoldOptions>().Bind(configuration.GetSection(GoldOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BotRoles>();
        services.TryAddSingleton<IChatLinks, DiscordMessageLinks>();
        services.AddSingleton(_ => new RefusalMemory());
        services.AddSingleton<IStepPresenter, StepPresenter>();
        services.AddScoped<StepGuard>();
        services.AddScoped<CalibrationHandler>();
        services.AddScoped<ComponentHandler>();
        services.AddScoped<ModalHandler>();
        services.AddScoped<TaskCommandHandler>();
        services.AddScoped<StatsCommandHandler>();
        services.AddScoped<RunCommandHandler>();
        services.AddScoped<WebCommandHandler>();
        services.AddScoped<ExportCommandHandler>();
        services.AddScoped<AutocompleteHandler>();
        services.AddScoped<InteractionRouter>();
        services.AddScoped<ReplyProposalHandler>();
        services.AddScoped<IGatewayEventHandler, BotGatewayHandler>();
        services.AddHostedService<CommandRegistrar>();
        return services;
    }
}
