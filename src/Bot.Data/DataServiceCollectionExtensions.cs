using Bot.Core.Ports;
using Bot.Data.Agent;
using Bot.Data.Ports;
using Bot.Data.Stores;
using Bot.Data.Work;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// The database (connection string or private cluster), stores, the engine's entry
    /// (<see cref="IRunCommands"/>), the agent loop's data ports, work queue and worker loop.
    /// Register <see cref="IWorkHandler"/> implementations separately (one per work kind).
    /// </summary>
    public static IServiceCollection AddBotData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkQueueOptions>().Bind(configuration.GetSection(WorkQueueOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BotDatabase(
            sp.GetRequiredService<IOptions<DatabaseOptions>>(),
            configuration.GetConnectionString(DatabaseOptions.ConnectionStringName),
            sp.GetService<ILoggerFactory>()));
        // Only valid after start-up (DatabaseHostedService); stores use BotDatabase so they can be built earlier.
        services.AddSingleton<NpgsqlDataSource>(sp => sp.GetRequiredService<BotDatabase>().DataSource);
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<RunCommandProcessor>();
        services.AddSingleton(sp => new CommandBatcher(sp.GetRequiredService<RunCommandProcessor>(),
            committers: sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Committers));
        services.AddSingleton<AnnotationStore>();
        services.AddSingleton<ModelCallStore>();
        services.AddSingleton<AgentStore>();
        services.TryAddSingleton<IRunCommands, RunCommandsPort>();
        services.AddSingleton<AgentRunsPort>();
        services.AddSingleton<IAgentRuns>(sp => sp.GetRequiredService<AgentRunsPort>());
        services.AddSingleton<IExecutionLog>(sp => sp.GetRequiredService<AgentRunsPort>());
        services.AddSingleton<IModelCallCache, ModelCallCache>();
        services.AddSingleton<Experiments.ExperimentStore>();
        services.AddSingleton<WorkQueue>();
        services.AddSingleton<WorkRecovery>();
        services.AddSingleton<RetentionSweep>();
        services.AddSingleton<WorkerService>();
        services.AddOptions<Export.ExportOptions>().Bind(configuration.GetSection(Export.ExportOptions.SectionName));
        services.AddSingleton<Export.ExportSalt>();
        services.AddSingleton<Bot.Core.Ports.IDatasetExport, Export.DatasetExport>();

        // Registered first so the database is up before any other hosted service starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseHostedService>());
        services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
        return services;
    }
}

/// <summary>Starts the database (and migrates) when the host starts; stops the private cluster when it stops.</summary>
internal sealed class DatabaseHostedService(BotDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
}
