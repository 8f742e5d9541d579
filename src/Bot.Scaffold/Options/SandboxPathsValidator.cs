using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Options;

/// <summary>
/// Refuses read-only mounts that would show the sandbox what it must never see: the host's root,
/// /etc as a whole (shadow passwords, keys), and the bot's own folders (its configuration and content
/// root, every run's workspace and its snapshots, the database files). A mount that contains one of those, or lies
/// inside the workspaces' or database's folders, is refused too.
/// </summary>
public sealed class SandboxPathsValidator(string contentRoot, string? databaseDataDirectory) : IValidateOptions<ScaffoldOptions>
{
    private static readonly string[] SecretEtcPaths =
        ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/ssh", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssl/private", "/etc/systemd"];

    public ValidateOptionsResult Validate(string? name, ScaffoldOptions options)
    {
        var sandbox = options.Sandbox;
        var workspaceRoot = Full(sandbox.WorkspaceRoot);
        var workspaceParent = Path.GetDirectoryName(workspaceRoot) ?? workspaceRoot;
        var database = Full(string.IsNullOrWhiteSpace(databaseDataDirectory) ? ".data/postgres" : databaseDataDirectory);
        // Folders whose contents are the bot's own: a mount may be neither them, above them, nor in them.
        var owned = new[]
        {
            (workspaceParent, "the workspaces' folder"), (database, "the database data directory"),
            (Full(sandbox.SnapshotRoot), "the workspace snapshots (every run's files at every step)"),
        };
        // The content root holds the configuration and .data: a mount may not be it or above it.
        var above = new[] { (Full(contentRoot), "the bot's content root") };

        var failures = new List<string>();
        foreach (var (setting, paths) in new[] { ("ReadOnlyPaths", sandbox.ReadOnlyPaths), ("EtcFiles", sandbox.EtcFiles) })
        {
            foreach (var raw in paths)
            {
                if (Problem(raw, owned, above) is { } problem)
                {
                    failures.Add($"Scaffold:Sandbox:{setting}: '{raw}' {problem}");
                }
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string? Problem(string raw, (string Path, string What)[] owned, (string Path, string What)[] above)
    {
        if (string.IsNullOrWhiteSpace(raw) || !Path.IsPathRooted(raw))
        {
            return "must be an absolute path.";
        }
        var path = Full(raw);
        if (path == "/")
        {
            return "would show the whole host filesystem to the sandbox; list the system folders it needs instead.";
        }
        if (path == "/etc")
        {
            return "would show /etc/shadow and other secrets; list the files it needs in Scaffold:Sandbox:EtcFiles instead.";
        }
        foreach (var secret in SecretEtcPaths)
        {
            if (IsSameOrInside(path, secret) || IsSameOrInside(secret, path))
            {
                return $"would show {secret} (password hashes, keys or service definitions) to the sandbox.";
            }
        }
        foreach (var (folder, what) in owned)
        {
            if (IsSameOrInside(folder, path) || IsSameOrInside(path, folder))
            {
                return $"would show {what} ({folder}) to the sandbox.";
            }
        }
        foreach (var (folder, what) in above)
        {
            if (IsSameOrInside(folder, path))
            {
                return $"would show {what} ({folder}) to the sandbox.";
            }
        }
        return null;
    }

    private string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, contentRoot)) is { Length: > 0 } p ? p : "/";

    /// <summary>True when <paramref name="inner"/> is <paramref name="outer"/> or lies under it.</summary>
    private static bool IsSameOrInside(string inner, string outer) =>
        inner == outer || outer == "/" || inner.StartsWith(outer + "/", StringComparison.Ordinal);
}
