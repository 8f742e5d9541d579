using Bot.Data.Work;

namespace Bot.Host.Agent;

public static class AgentLoopServiceCollectionExtensions
{
    /// <summary>The work handlers that drive a run: model calls, execution, sub-runs and scoring.</summary>
    public static IServiceCollection AddAgentLoop(this IServiceCollection services)
    {
        services.AddSingleton<AgentContextFactory>();
        services.AddSingleton<WorkspacePreparer>();
        services.AddSingleton<IWorkHandler, GenerateCandidatesHandler>();
        services.AddSingleton<IWorkHandler, JudgeCandidatesHandler>();
        services.AddSingleton<IWorkHandler, ExecuteActionHandler>();
        services.AddSingleton<IWorkHandler, StartSubRunHandler>();
        services.AddSingleton<IWorkHandler, NotifyParentHandler>();
        services.AddSingleton<IWorkHandler, FinishRunHandler>();
        services.AddSingleton<IWorkHandler, StuckCheckHandler>();
        return services;
    }
}
