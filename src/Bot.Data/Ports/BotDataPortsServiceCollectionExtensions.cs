using Bot.Core.Ports;
using Bot.Data.Reads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bot.Data.Ports;

public static class BotDataPortsServiceCollectionExtensions
{
    /// <summary>The application ports the chat adapter consumes: the read model (the query classes of <c>Bot.Data.Reads</c>) and the stores of <c>AddBotData</c>.</summary>
    public static IServiceCollection AddBotDataPorts(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        // Also registered by AddBotData (recovery needs it); whichever runs first wins, it is one entry either way.
        services.TryAddSingleton<IRunCommands, RunCommandsPort>();
        services.AddSingleton<IStepReader, StepQueries>();
        services.AddSingleton<IRunDirectory, RunQueries>();
        services.AddSingleton<IRunTreeReader, RunTreeQueries>();
        services.AddSingleton<IFeedbackStore, FeedbackPort>();
        services.AddSingleton<IStatsReader, ParticipationQueries>();
        services.AddSingleton<IChatRefs, ChatRefsPort>();
        services.AddSingleton<IDeadWorkReader, DeadWorkPort>();
        // TryAdd: the scheduler registers the same figures for the digest.
        services.TryAddSingleton<Figures.FigureQueries>();
        services.TryAddSingleton<IFigures, Figures.FiguresPort>();
        services.AddSingleton<IManualScoring, Agent.ManualScoring>();
        services.AddSingleton<IGoldSteps, Gold.GoldStore>();
        services.AddSingleton<ICalibration, Gold.CalibrationStore>();
        // Several processes on one database: who runs which gateway shard, and who posts what.
        services.AddSingleton<IGatewayShardLeases, Scale.GatewayShardLeases>();
        services.AddSingleton<IClusterLocks, Scale.AdvisoryClusterLocks>();
        return services;
    }
}
