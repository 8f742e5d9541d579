using Bot.Core.Domain;
using Bot.Core.Results;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Execution;

/// <summary>Per-run working directories under <see cref="SandboxOptions.WorkspaceRoot"/>: the only writable place a command gets.</summary>
public sealed class Workspaces(IOptions<ScaffoldOptions> options)
{
    public string Root => Path.GetFullPath(options.Value.Sandbox.WorkspaceRoot);

    public string PathOf(RunId runId) => Path.Combine(Root, runId.ToString());

    public string Ensure(RunId runId) => Directory.CreateDirectory(PathOf(runId)).FullName;

    /// <summary>Writes setup files into the run's workspace; paths must be relative and stay inside it.</summary>
    public async Task<Result> WriteFilesAsync(RunId runId, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken = default)
    {
        var root = Ensure(runId);
        foreach (var (relative, content) in files)
        {
            var target = ResolveInside(root, relative);
            if (target is null)
            {
                return new Error("workspace.bad_path", $"Setup file path '{relative}' must be relative and stay inside the workspace.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, content, cancellationToken).ConfigureAwait(false);
        }
        return Result.Ok();
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or null if it would escape.</summary>
    public static string? ResolveInside(string root, string relative)
    {
        if (string.IsNullOrWhiteSpace(relative) || Path.IsPathRooted(relative))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }
}
