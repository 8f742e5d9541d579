using System.Diagnostics;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Execution;

/// <summary>
/// The default executor ("local-sandbox"): bubblewrap with every namespace unshared (no network, own
/// PID namespace so killing it kills every child), system directories read-only, the run's workspace
/// at /workspace as the only writable place besides a tmpfs /tmp, plus time, memory and output caps.
/// </summary>
public sealed partial class LocalSandboxExecutor(
    Workspaces workspaces,
    IOptions<ScaffoldOptions> options,
    TimeProvider time,
    ILogger<LocalSandboxExecutor> logger) : ICommandExecutor
{
    public const string MountPoint = "/workspace";
    private readonly SandboxOptions _options = options.Value.Sandbox;

    public string WorkingDirectoryInside => MountPoint;

    public Task<Result<ExecutionResult>> ExecuteAsync(RunId runId, string command, CancellationToken cancellationToken = default) =>
        ExecuteAsync(runId, command, new CommandOptions(), cancellationToken);

    public async Task<Result<ExecutionResult>> ExecuteAsync(RunId runId, string command, CommandOptions commandOptions, CancellationToken cancellationToken = default)
    {
        var bwrap = ResolveBwrap(_options.BwrapPath);
        if (bwrap is null)
        {
            return new Error("sandbox.unavailable",
                $"bubblewrap ('{_options.BwrapPath}') is not installed, so commands cannot run safely. Install it with `apt-get install bubblewrap`, " +
                $"or (unsafe, trusted setups only) set Scaffold:Sandbox:Executor to '{SandboxOptions.Unsandboxed}'.");
        }

        var workspace = workspaces.Ensure(runId);
        var start = new ProcessStartInfo(bwrap);
        foreach (var arg in Arguments(workspace, command, commandOptions))
        {
            start.ArgumentList.Add(arg);
        }
        var limit = commandOptions.TimeLimit ?? TimeSpan.FromSeconds(_options.TimeLimitSeconds);
        LogExecuting(runId, limit);
        var result = await ProcessRunner.RunAsync(start, limit, _options.OutputLimitBytes, time, afterExit: null, cancellationToken).ConfigureAwait(false);

        // bwrap reports its own set-up failures (e.g. user namespaces disabled) on stderr with exit 1.
        if (!result.TimedOut && result.ExitCode == 1 && result.Stderr.StartsWith("bwrap:", StringComparison.Ordinal))
        {
            return new Error("sandbox.failed", $"The sandbox could not start: {result.Stderr.Trim()}");
        }
        return result;
    }

    private List<string> Arguments(string workspace, string command, CommandOptions commandOptions)
    {
        var args = new List<string> { "--unshare-all", "--die-with-parent", "--new-session" };
        foreach (var path in _options.ReadOnlyPaths)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (Directory.Exists(path) || File.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }
        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
        // The sandbox root is bwrap's own tmpfs; making it read-only leaves the workspace and /tmp as the only writable places.
        args.AddRange(["--bind", workspace, MountPoint, "--remount-ro", "/", "--chdir", MountPoint, "--clearenv"]);

        var environment = SandboxEnvironment.Base(MountPoint);
        foreach (var (key, value) in commandOptions.Environment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        foreach (var (key, value) in environment)
        {
            args.AddRange(["--setenv", key, value]);
        }
        args.Add("--");
        args.AddRange(SandboxEnvironment.LimitedBash(command, _options.MemoryLimitMegabytes, _options.FileSizeLimitMegabytes));
        return args;
    }

    /// <summary>The bwrap executable, or null when it is not installed.</summary>
    public static string? ResolveBwrap(string configured)
    {
        if (configured.Contains('/'))
        {
            return File.Exists(configured) ? configured : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, configured))
            .FirstOrDefault(File.Exists);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: executing a command in the bubblewrap sandbox (limit {Limit})")]
    private partial void LogExecuting(RunId runId, TimeSpan limit);
}
