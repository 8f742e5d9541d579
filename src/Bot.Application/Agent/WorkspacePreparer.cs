using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Microsoft.Extensions.Logging;

namespace Bot.Application.Agent;

/// <summary>
/// Lays out a run's workspace before its first step, then captures it as the run's step-0 snapshot
/// (so a fork from step 1 starts from these files). A top-level run gets its task's setup files (for a
/// METR family task, what the family's <c>start</c> wrote, run in the sandbox by the scaffold). A
/// sub-run gets a copy of its parent's current workspace (the parent waits on it, so that is the
/// parent's files at delegation time). A fork or restart from step N gets its origin's snapshot after
/// step N-1, so its files agree with the history it is given; without one (runs older than snapshots,
/// or a capture over the caps) it falls back to the origin's current files and logs that.
/// </summary>
public sealed partial class WorkspacePreparer(IRunWorkspaces workspaces, ILogger<WorkspacePreparer> logger)
{
    public async Task<Result> PrepareAsync(AgentRun run, AgentTask? task, CancellationToken cancellationToken = default)
    {
        var prepared = await LayOutAsync(run, task, cancellationToken);
        if (prepared.Error is not null) return prepared;
        return await workspaces.SnapshotAsync(run.RunId, 0, cancellationToken);
    }

    private async Task<Result> LayOutAsync(AgentRun run, AgentTask? task, CancellationToken cancellationToken)
    {
        workspaces.Ensure(run.RunId);
        if (run.ParentRunId is null && run.ForkedFromRun is { } origin && run.ForkedFromStep is { } step)
        {
            var restored = await workspaces.RestoreSnapshotAsync(origin, step, run.RunId, cancellationToken);
            if (restored.Error is null) return Result.Ok();
            LogFallback(logger, run.RunId, origin, step, restored.Error.Message);
        }
        if ((run.ParentRunId ?? run.ForkedFromRun) is { } source)
        {
            // The source's files as of its newest snapshot, if another process ran its last steps.
            var current = await workspaces.EnsureCurrentAsync(source, int.MaxValue, cancellationToken);
            if (current.Error is not null) return current;
            return await workspaces.CopyAsync(source, run.RunId, cancellationToken);
        }
        return task is null ? Result.Ok() : await workspaces.LayOutTaskAsync(run.RunId, task.Name, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} branches from run {Origin} at step {Step} but starts from the origin's current workspace: {Reason}")]
    private static partial void LogFallback(ILogger logger, RunId runId, RunId origin, int step, string reason);
}
