using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Scaffold.Tasks;
using Bot.Scaffold.Tasks.Families;

namespace Bot.Scaffold.Execution;

/// <summary>
/// <see cref="IRunWorkspaces"/> over the workspace folders and the snapshot store; a task's starting
/// files come from its definition (<see cref="TaskCatalog"/>), a METR family's from its <c>start</c>.
/// </summary>
public sealed class RunWorkspacesPort(Workspaces workspaces, WorkspaceSnapshots snapshots, TaskCatalog catalog, MetrFamilies families) : IRunWorkspaces
{
    public const string NoSnapshotCode = "snapshot_none";

    public void Ensure(RunId runId) => workspaces.Ensure(runId);

    public async Task<Result> LayOutTaskAsync(RunId runId, string taskName, CancellationToken cancellationToken = default)
    {
        var found = await catalog.GetAsync(taskName, cancellationToken).ConfigureAwait(false);
        // A task file deleted after its run started: the run goes on from an empty workspace, as before.
        if (found.Error is { Code: TaskCatalog.NotFoundCode }) return Result.Ok();
        if (found.Error is { } error) return error;
        var task = found.Value;
        if (task.Family is not null) return await families.StartAsync(runId, task, cancellationToken).ConfigureAwait(false);
        return task.Files.Count == 0 ? Result.Ok() : await workspaces.WriteFilesAsync(runId, task.Files, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Result> CopyAsync(RunId from, RunId to, CancellationToken cancellationToken = default)
    {
        var copied = await workspaces.CopyAsync(from, to, cancellationToken).ConfigureAwait(false);
        return copied.Error is { } error ? error : Result.Ok();
    }

    public async Task<Result> RestoreSnapshotAsync(RunId origin, int beforeStep, RunId target, CancellationToken cancellationToken = default)
    {
        // A record over the caps (Missing set) is as good as none: the caller falls back to copying.
        if (snapshots.LatestBefore(origin, beforeStep) is not { Missing: null } snapshot)
            return new Error(NoSnapshotCode, "no snapshot of the origin before that step");
        var restored = await snapshots.RestoreAsync(snapshot, target, cancellationToken).ConfigureAwait(false);
        return restored.Error is { } error ? error : Result.Ok();
    }

    public async Task<Result> EnsureCurrentAsync(RunId runId, int beforeStep, CancellationToken cancellationToken = default)
    {
        var local = snapshots.LocalStep(runId);
        var exists = Directory.Exists(workspaces.PathOf(runId));
        // A workspace here without a record of its step predates this check: it is trusted as it is.
        if (exists && local is null) return Result.Ok();
        if (snapshots.LatestBefore(runId, beforeStep) is not { } newest)
        {
            if (!exists) workspaces.Ensure(runId);
            return Result.Ok();
        }
        if (exists && local >= newest.Step) return Result.Ok();
        var restored = await snapshots.RestoreAsync(newest, runId, cancellationToken).ConfigureAwait(false);
        if (restored.Error is { } error) return error;
        snapshots.MarkLocal(runId, newest.Step);
        return Result.Ok();
    }

    public async Task<Result> SnapshotAsync(RunId runId, int step, CancellationToken cancellationToken = default)
    {
        var taken = await snapshots.TakeAsync(runId, step, cancellationToken).ConfigureAwait(false);
        return taken.Error is { } error ? error : Result.Ok();
    }

    public Result CheckQuota(RunId runId) => workspaces.CheckQuota(runId);
}
