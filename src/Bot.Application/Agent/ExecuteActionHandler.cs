using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Microsoft.Extensions.Options;

namespace Bot.Application.Agent;

/// <summary>
/// Runs the decided bash action in the sandbox. The full output is stored under the work item's
/// key before the engine hears of it, so a retry re-sends the stored result and never runs the
/// command twice. The workspace is then captured for the step (<see cref="IRunWorkspaces.SnapshotAsync"/>).
/// (A command that was running when the process died is not retried at all: the work queue's
/// recovery turns it into ExecutionInterrupted for a researcher to decide.)
/// </summary>
public sealed class ExecuteActionHandler(
    IExecutionLog executions,
    IActionExecutor executor,
    IRunCommands commands,
    IRunWorkspaces workspaces,
    IOptions<AgentLoopOptions> options) : WorkHandler<ExecuteActionWork>
{
    protected override async Task<Result> HandleAsync(ExecuteActionWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var result = await executions.FindAsync(work.IdempotencyKey, cancellationToken);
        if (result is null)
        {
            // This process may not have run the run's earlier steps (another did, or it restarted on a new disk).
            var current = await workspaces.EnsureCurrentAsync(work.RunId, work.StepNumber, cancellationToken);
            if (current.Error is { } restoreError) return restoreError;
            var executed = await executor.ExecuteAsync(work.RunId, work.Command, cancellationToken);
            // The sandbox could not start (e.g. bubblewrap missing): the model sees why.
            result = executed.Error is { } error
                ? new ExecutionResult("", error.Message, -1, TimeSpan.Zero, false, false)
                : executed.Value;
            await executions.SaveAsync(work.RunId, work.StepNumber, work.IdempotencyKey, work.Command, result, cancellationToken);
        }

        // The files as this step left them, for forks from a later step. Taken on a retry too (the
        // process may have died after storing the result); a step already captured is not retaken.
        // Before the quota check, so an over-quota step is recorded (as having no snapshot) as well.
        var snapshot = await workspaces.SnapshotAsync(work.RunId, work.StepNumber, cancellationToken);
        if (snapshot.Error is { } snapshotError) return snapshotError;

        // The disk quota is checked after every execution (also on a retry, so a stored result cannot
        // slip past it); over it, the run stops with the reason instead of taking another step.
        if (workspaces.CheckQuota(work.RunId).Error is { } overQuota)
        {
            return CommandSettling.Settle(await commands.HandleAsync(work.RunId,
                new AbortRun(ActorId.System, overQuota.Message), $"quota-abort:{work.IdempotencyKey}", cancellationToken));
        }

        var observation = ObservationText.From(result, options.Value.ObservationCharacterLimit);
        var command = new ExecutionFinished(ActorId.System, work.StepNumber, observation);
        return CommandSettling.Settle(await commands.HandleAsync(work.RunId, command, null, cancellationToken));
    }
}
