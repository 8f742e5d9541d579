using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Agent;
using Bot.Data.Stores;

namespace Bot.Data.Ports;

/// <summary><see cref="IRunCommands"/> over the data layer's <see cref="RunCommandProcessor"/>.</summary>
public sealed class RunCommandsPort(RunCommandProcessor processor, CommandBatcher batcher, AgentStore agent) : IRunCommands
{
    public async Task<Result<CommandReceipt>> HandleAsync(RunId runId, RunCommand command, string? interactionId = null, CancellationToken cancellationToken = default)
    {
        // Clicks arrive in bursts, many on the same run: group commit handles whatever is waiting in
        // one transaction (each run locked once) and still acknowledges only after the commit.
        var handled = await batcher.SubmitAsync(runId, command, interactionId).WaitAsync(cancellationToken);
        if (handled.Error is { } error) return error;
        var state = handled.Value.State;
        return new CommandReceipt(state.RunId, state.Status, state.Step?.Number, state.Step?.Revision ?? 0, handled.Value.Duplicate);
    }

    public async Task<Result<RunId>> StartRunAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        var started = await processor.StartRunAsync(request, cancellationToken);
        return started.Error is { } error ? error : started.Value.State.RunId;
    }

    public async Task<Result> NudgeAsync(RunId runId, ActorId author, string text, CancellationToken cancellationToken = default)
    {
        var stored = await agent.AddInterventionAsync(runId, null, AgentStore.Nudge, text, author, cancellationToken);
        return stored.Error is { } error ? error : Result.Ok();
    }
}
