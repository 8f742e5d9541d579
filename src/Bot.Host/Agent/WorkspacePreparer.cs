using Bot.Core.Results;
using Bot.Data.Agent;
using Bot.Scaffold.Execution;
using Bot.Scaffold.Tasks;

namespace Bot.Host.Agent;

/// <summary>
/// Lays out a run's workspace before its first step: a task's setup files, or for a sub-run a
/// copy of its parent's workspace (the child works on the same material; its changes stay its own).
/// </summary>
public sealed class WorkspacePreparer(Workspaces workspaces)
{
    public async Task<Result> PrepareAsync(AgentRun run, TaskDefinition? task, CancellationToken cancellationToken = default)
    {
        var target = workspaces.Ensure(run.RunId);
        if ((run.ParentRunId ?? run.ForkedFromRun) is { } source)
        {
            CopyDirectory(workspaces.PathOf(source), target);
            return Result.Ok();
        }
        return task is null || task.Files.Count == 0
            ? Result.Ok()
            : await workspaces.WriteFilesAsync(run.RunId, task.Files, cancellationToken);
    }

    private static void CopyDirectory(string source, string target)
    {
        if (!Directory.Exists(source)) return;
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
    }
}
