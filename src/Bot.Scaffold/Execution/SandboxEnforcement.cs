using System.Diagnostics;
using Bot.Scaffold.Options;

namespace Bot.Scaffold.Execution;

/// <summary>How the process and memory caps of a command's whole tree are enforced on this host.</summary>
public enum TreeLimitKind
{
    /// <summary>A cgroup v2 per execution: pids.max and memory.max.</summary>
    CgroupV2,
    /// <summary>A cgroup per execution in the v1 pids and memory hierarchies.</summary>
    CgroupV1,
    /// <summary>RLIMIT_NPROC on the dedicated sandbox uid (shared by concurrent commands); memory per process only.</summary>
    RlimitSandboxUid,
    /// <summary>RLIMIT_NPROC on the bot's own uid, counted on top of the bot's own tasks; memory per process only.</summary>
    RlimitBotUid,
}

/// <summary>
/// What this host lets the sandbox enforce, probed once at start: the cgroup hierarchy we may create
/// children in, whether we must drop root (setpriv), and which bwrap options exist. Start-up logs and
/// <c>check-config</c> print <see cref="Description"/>, so an operator sees what actually holds.
/// </summary>
public sealed class SandboxEnforcement
{
    private SandboxEnforcement(TreeLimitKind kind, IReadOnlyList<string> cgroupParents, bool dropRoot, string? setpriv,
        string bwrapVersion, bool disableUserns, bool tmpfsSize, string? problem)
    {
        Kind = kind;
        CgroupParents = cgroupParents;
        DropRoot = dropRoot;
        SetprivPath = setpriv;
        BwrapVersion = bwrapVersion;
        SupportsDisableUserns = disableUserns;
        SupportsTmpfsSize = tmpfsSize;
        Problem = problem;
    }

    public TreeLimitKind Kind { get; }

    /// <summary>The cgroup directories (ours, one per hierarchy) under which each execution gets its own child.</summary>
    public IReadOnlyList<string> CgroupParents { get; }

    /// <summary>The bot runs as root, so bwrap is started through setpriv as the sandbox uid.</summary>
    public bool DropRoot { get; }

    public string? SetprivPath { get; }
    public string BwrapVersion { get; }
    public bool SupportsDisableUserns { get; }
    public bool SupportsTmpfsSize { get; }

    /// <summary>Why commands cannot run safely here (then the executor refuses them), or null.</summary>
    public string? Problem { get; }

    public bool UsesCgroups => Kind is TreeLimitKind.CgroupV1 or TreeLimitKind.CgroupV2;

    public string Description(SandboxOptions options)
    {
        var limits = Kind switch
        {
            TreeLimitKind.CgroupV2 => $"cgroup v2 per command (pids.max {options.MaxProcesses}, memory.max {options.TotalMemoryLimitMegabytes} MB)",
            TreeLimitKind.CgroupV1 => $"cgroup v1 per command (pids.max {options.MaxProcesses}, memory.limit_in_bytes {options.TotalMemoryLimitMegabytes} MB)",
            TreeLimitKind.RlimitSandboxUid => $"RLIMIT_NPROC {options.MaxProcesses} on uid {options.RunAsUid} (shared by concurrent commands; memory capped per process only, {options.MemoryLimitMegabytes} MB)",
            _ => $"RLIMIT_NPROC {options.MaxProcesses} above the bot's own tasks (approximate; memory capped per process only, {options.MemoryLimitMegabytes} MB)",
        };
        var user = DropRoot ? $"uid {options.RunAsUid} via setpriv (the bot is root)" : $"the bot's uid, uid {options.RunAsUid} inside";
        var userns = SupportsDisableUserns ? "nested user namespaces disabled" : "nested user namespaces NOT disabled (bwrap < 0.8)";
        var text = $"{BwrapVersion}; {limits}; runs as {user}; {userns}; /tmp {options.TmpSizeMegabytes} MB, /dev/shm {options.ShmSizeMegabytes} MB, workspace quota {options.WorkspaceQuotaMegabytes} MB";
        return Problem is null ? text : $"REFUSING COMMANDS: {Problem} ({text})";
    }

    public static SandboxEnforcement Probe(SandboxOptions options)
    {
        var bwrap = LocalSandboxExecutor.ResolveBwrap(options.BwrapPath);
        var (version, help) = bwrap is null ? ("bubblewrap not installed", "") : BwrapInfo(bwrap);
        var dropRoot = NativeFiles.EffectiveUid == 0;
        var setpriv = FindOnPath("setpriv");
        string? problem = null;
        if (bwrap is null) problem = $"bubblewrap ('{options.BwrapPath}') is not installed";
        else if (dropRoot && setpriv is null) problem = "the bot runs as root and setpriv (util-linux) is missing, so commands cannot drop root";
        else if (!help.Contains("--size", StringComparison.Ordinal)) problem = $"{version} cannot cap /tmp (bwrap 0.8 or later is needed)";

        var (kind, parents) = options.UseCgroups ? CgroupProbe.Find() : (null, []);
        var treeKind = kind ?? (dropRoot ? TreeLimitKind.RlimitSandboxUid : TreeLimitKind.RlimitBotUid);
        return new SandboxEnforcement(treeKind, parents, dropRoot, setpriv, version,
            help.Contains("--disable-userns", StringComparison.Ordinal), help.Contains("--size", StringComparison.Ordinal), problem);
    }

    /// <summary>Tasks (threads) currently owned by <paramref name="uid"/>: what RLIMIT_NPROC counts.</summary>
    public static int TasksOf(uint uid)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _) || NativeFiles.Stat(null, dir) is not { } info || info.Uid != uid) continue;
            try
            {
                count += Directory.EnumerateDirectories(Path.Combine(dir, "task")).Count();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // exited meanwhile
            }
        }
        return count;
    }

    private static (string Version, string Help) BwrapInfo(string bwrap)
    {
        static string Run(string file, string arg)
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(file, arg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
                if (p is null) return "";
                var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                return output;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "";
            }
        }
        var version = Run(bwrap, "--version").Trim();
        return (version.Length == 0 ? "bubblewrap (unknown version)" : version, Run(bwrap, "--help"));
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/bin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
