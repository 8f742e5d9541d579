using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Agent;
using Bot.Data.Stores;

namespace Bot.Data.Ports;

/// <summary>
/// <see cref="IRunCommands"/> over the data layer's <see cref="RunCommandProcessor"/>: the engine's
/// one entry for clicks, scheduled jobs, the agent loop and recovery alike.
/// </summary>
/// <param name="batcher">Group commit; without one (tools and tests) each command is its own transaction.</param>
public sealed class RunCommandsPort(RunCommandProcessor processor, AgentStore agent, CommandBatcher? batcher = null) : IRunCommands
{
    public async Task<Result<CommandReceipt>> HandleAsync(RunId runId, RunCommand command, string? interactionId = null, CancellationToken cancellationToken = default)
    {
        // Commands arrive in bursts, many on the same run: group commit handles whatever is waiting in
        // one transaction (each run locked once) and still answers only after the commit.
        var handled = batcher is null
            ? await processor.HandleAsync(runId, command, interactionId, cancellationToken)
            : await batcher.SubmitAsync(runId, command, interactionId).WaitAsync(cancellationToken);
        if (handled.Error is { } error) return error;
        var state = handled.Value.State;
        return new CommandReceipt(state.RunId, state.Status, state.Step?.Number, state.Step?.Revision ?? 0, handled.Value.Duplicate,
            handled.Value.Events.OfType<StepDecided>().Select(d => d.Decision).FirstOrDefault(),
            handled.Value.Events.OfType<VoteRecorded>().FirstOrDefault());
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

    public Task<Result<RunState>> LoadStateAsync(RunId runId, CancellationToken cancellationToken = default) =>
        processor.LoadStateAsync(runId, cancellationToken);
}
