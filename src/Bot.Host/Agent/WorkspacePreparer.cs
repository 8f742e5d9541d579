using Bot.Core.Results;
using Bot.Data.Agent;
using Bot.Scaffold.Execution;
using Bot.Scaffold.Tasks;

namespace Bot.Host.Agent;

/// <summary>
/// Lays out a run's workspace before its first step: a task's setup files, or for a sub-run a
/// copy of its parent's workspace (the child works on the same material; its changes stay its own).
/// The copy never follows links and is capped (see <see cref="WorkspaceCopier"/>): the parent's
/// workspace was written by the model under test.
/// </summary>
public sealed class WorkspacePreparer(Workspaces workspaces)
{
    public async Task<Result> PrepareAsync(AgentRun run, TaskDefinition? task, CancellationToken cancellationToken = default)
    {
        workspaces.Ensure(run.RunId);
        if ((run.ParentRunId ?? run.ForkedFromRun) is { } source)
        {
            var copied = await workspaces.CopyAsync(source, run.RunId, cancellationToken);
            return copied.Error is { } error ? error : Result.Ok();
        }
        return task is null || task.Files.Count == 0
            ? Result.Ok()
            : await workspaces.WriteFilesAsync(run.RunId, task.Files, cancellationToken);
    }
}
