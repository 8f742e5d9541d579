using System.Security.Cryptography;
using System.Text.Json;
using Bot.Core.Domain;
using Bot.Core.Results;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Bot.Scaffold.Execution;

/// <summary>One step's record of a workspace. <see cref="Missing"/> says why there is none (a cap was exceeded).</summary>
public sealed record SnapshotManifest(
    long RunId, int Step, IReadOnlyList<SnapshotDirectory> Directories, IReadOnlyList<SnapshotFile> Files,
    IReadOnlyList<SnapshotLink> Symlinks, int Skipped, long Bytes, string? Missing = null);

public sealed record SnapshotDirectory(string Path, int Mode);

public sealed record SnapshotFile(string Path, string Hash, int Mode, long Size);

public sealed record SnapshotLink(string Path, string Target);

/// <summary>
/// Per-step captures of run workspaces, so a fork starts from the files as they were at its step and
/// any process that reaches this folder (shared disk) can continue any run. File contents are stored
/// once by SHA-256 under objects/; each (run, step) has a manifest under runs/{run}/{step}.json. The walk
/// has the copier's lstat semantics (links recorded by their text, never followed; FIFOs, sockets and
/// devices skipped) and its caps, because the workspace was written by the model under test.
/// </summary>
public sealed partial class WorkspaceSnapshots(IOptions<ScaffoldOptions> options, Workspaces workspaces, ILogger<WorkspaceSnapshots> logger)
{
    private const int BufferSize = 81920;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Root => Path.GetFullPath(options.Value.Sandbox.SnapshotRoot);

    private string ManifestPath(RunId runId, int step) => Path.Combine(Root, "runs", runId.ToString(), $"{step}.json");

    private string ObjectPath(string hash) => Path.Combine(Root, "objects", hash[..2], hash[2..]);

    /// <summary>
    /// Captures the run's workspace as it is now for <paramref name="step"/> (0 = as prepared). A (run, step)
    /// already captured is left alone, so a retried work item never overwrites the first capture. Over the
    /// caps the run goes on: the step is recorded as having no snapshot (a fork from after it copies instead).
    /// </summary>
    public Task<Result<SnapshotManifest>> TakeAsync(RunId runId, int step, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            var taken = Take(runId, step, cancellationToken);
            if (taken.Error is null) MarkLocal(runId, step);
            return taken;
        }, cancellationToken);

    // Beside the workspaces, not in one: the model under test cannot rewrite which step its files are at.
    private string LocalStepPath(RunId runId) => Path.Combine(workspaces.Root, ".steps", runId.ToString());

    /// <summary>The step whose snapshot this process's copy of the run's workspace matches (null: unknown).</summary>
    public int? LocalStep(RunId runId) =>
        File.Exists(LocalStepPath(runId)) && int.TryParse(File.ReadAllText(LocalStepPath(runId)), out var step) ? step : null;

    /// <summary>Records that this process's copy of the workspace matches the snapshot of <paramref name="step"/>.</summary>
    public void MarkLocal(RunId runId, int step)
    {
        var path = LocalStepPath(runId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteAtomically(path, System.Text.Encoding.ASCII.GetBytes(step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private Result<SnapshotManifest> Take(RunId runId, int step, CancellationToken cancellationToken)
    {
        var manifestPath = ManifestPath(runId, step);
        if (Read(manifestPath) is { } existing) return existing;

        var sandbox = options.Value.Sandbox;
        var maxBytes = (long)sandbox.CopyMaxMegabytes * 1024 * 1024;
        var directories = new List<SnapshotDirectory>();
        var files = new List<SnapshotFile>();
        var links = new List<SnapshotLink>();
        int skipped = 0;
        long bytes = 0;
        string? missing = null;
        var buffer = new byte[BufferSize];
        var source = workspaces.PathOf(runId);

        Result Visit(SafeFileHandle parent, string name, string relative, EntryInfo info)
        {
            if (info.Kind == EntryKind.Other) { skipped++; return Result.Ok(); }
            if (directories.Count + files.Count + links.Count >= sandbox.CopyMaxFiles)
            {
                return new Error("snapshot_too_large", $"more than {sandbox.CopyMaxFiles:N0} files and directories (Scaffold:Sandbox:CopyMaxFiles)");
            }
            switch (info.Kind)
            {
                case EntryKind.Directory:
                    directories.Add(new SnapshotDirectory(relative, (int)(info.Mode & 0x1FF)));
                    break;
                case EntryKind.Symlink:
                    if (NativeFiles.ReadLink(parent, name) is { Length: > 0 } text) links.Add(new SnapshotLink(relative, text));
                    else skipped++;
                    break;
                case EntryKind.File:
                    var stored = StoreObject(parent, name, maxBytes - bytes, buffer, cancellationToken);
                    if (stored.Size == WorkspaceTree.OverBudget)
                    {
                        return new Error("snapshot_too_large", $"more than {sandbox.CopyMaxMegabytes:N0} MB (Scaffold:Sandbox:CopyMaxMegabytes)");
                    }
                    if (stored.Size < 0) { skipped++; break; }
                    bytes += stored.Size;
                    // setuid/setgid/sticky are dropped: a restored file never gains privileges on the host.
                    files.Add(new SnapshotFile(relative, stored.Hash, (int)(info.Mode & 0x1FF), stored.Size));
                    break;
            }
            return Result.Ok();
        }

        if (NativeFiles.Stat(null, source) is { Kind: EntryKind.Directory })
        {
            var walked = WorkspaceTree.Walk(source, Visit, cancellationToken);
            if (walked.Error is { Code: "snapshot_too_large" or "workspace_too_deep" } tooLarge) missing = tooLarge.Message;
            else if (walked.Error is { } error) return error;
        }

        var manifest = missing is null
            ? new SnapshotManifest(runId.Value, step, directories, files, links, skipped, bytes)
            : new SnapshotManifest(runId.Value, step, [], [], [], skipped, 0, missing);
        if (missing is not null) LogNoSnapshot(logger, runId, step, missing);
        WriteAtomically(manifestPath, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
        return manifest;
    }

    /// <summary>
    /// The run's latest record before <paramref name="beforeStep"/> (steps that ran no command have none),
    /// or null when there is none; a record whose capture was over the caps comes back with Missing set.
    /// </summary>
    public SnapshotManifest? LatestBefore(RunId runId, int beforeStep)
    {
        var folder = Path.Combine(Root, "runs", runId.ToString());
        if (!Directory.Exists(folder)) return null;
        var latest = Directory.EnumerateFiles(folder, "*.json")
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f), out var n) ? n : -1)
            .Where(n => n >= 0 && n < beforeStep)
            .DefaultIfEmpty(-1).Max();
        return latest < 0 ? null : Read(ManifestPath(runId, latest));
    }

    /// <summary>
    /// Lays <paramref name="manifest"/> out as <paramref name="target"/>'s workspace, replacing what is
    /// there (a retry finds a partial restore). Links are created last, so no file is written through one.
    /// Ownership is the bot's, as after <see cref="Workspaces.CopyAsync"/>: the executor hands the
    /// workspace to the sandbox uid before each command.
    /// </summary>
    public Task<Result<CopyReport>> RestoreAsync(SnapshotManifest manifest, RunId target, CancellationToken cancellationToken = default) =>
        Task.Run(() => Restore(manifest, target, cancellationToken), cancellationToken);

    private Result<CopyReport> Restore(SnapshotManifest manifest, RunId target, CancellationToken cancellationToken)
    {
        if (manifest.Missing is { } why) return new Error("snapshot_missing", $"Run {manifest.RunId} has no snapshot after step {manifest.Step}: {why}.");
        var root = workspaces.PathOf(target);
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        root = workspaces.Ensure(target);

        string? Inside(string relative) => Workspaces.ResolveInside(root, relative);
        foreach (var dir in manifest.Directories)
        {
            if (Inside(dir.Path) is not { } path) return BadPath(manifest, dir.Path);
            Directory.CreateDirectory(path);
            // Owner rwx is kept so the restore can fill it, as in the copier.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)((dir.Mode & 0x1FF) | 0x1C0));
        }
        foreach (var file in manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Inside(file.Path) is not { } path) return BadPath(manifest, file.Path);
            var source = ObjectPath(file.Hash);
            if (!File.Exists(source)) return new Error("snapshot_missing", $"The snapshot of run {manifest.RunId} after step {manifest.Step} lacks the content of '{file.Path}'.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(source, path, overwrite: false);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)(file.Mode & 0x1FF));
        }
        foreach (var link in manifest.Symlinks)
        {
            if (Inside(link.Path) is not { } path) return BadPath(manifest, link.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, link.Target);
        }
        return new CopyReport(manifest.Files.Count, manifest.Directories.Count, manifest.Symlinks.Count, manifest.Skipped, manifest.Bytes);
    }

    private static Error BadPath(SnapshotManifest manifest, string path) =>
        new("snapshot_bad_path", $"The snapshot of run {manifest.RunId} after step {manifest.Step} names '{path}', which is outside the workspace.");

    /// <summary>Hashes the file while copying it to a temporary object, then renames it into place unless that content is stored already.</summary>
    private (string Hash, long Size) StoreObject(SafeFileHandle parent, string name, long budget, byte[] buffer, CancellationToken cancellationToken)
    {
        var tempDir = Directory.CreateDirectory(Path.Combine(Root, "objects", "tmp")).FullName;
        var temp = Path.Combine(tempDir, Guid.NewGuid().ToString("N"));
        long total;
        string hash;
        try
        {
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                total = WorkspaceTree.StreamFile(parent, name, budget, buffer, (chunk, count) =>
                {
                    sha.AppendData(chunk, 0, count);
                    output.Write(chunk, 0, count);
                }, cancellationToken);
                if (total < 0) return ("", total);
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            var target = ObjectPath(hash);
            if (File.Exists(target)) return (hash, total); // same content, stored by an earlier step or run
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // Objects are the bot's alone; the restored copy gets the file's own mode.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                File.Move(temp, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another process stored the same content first; theirs is as good as ours.
            }
            return (hash, total);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static SnapshotManifest? Read(string path)
    {
        if (!File.Exists(path)) return null;
        return JsonSerializer.Deserialize<SnapshotManifest>(File.ReadAllBytes(path), Json);
    }

    /// <summary>Temp file then rename: a reader (or a crash) never sees half a manifest.</summary>
    private static void WriteAtomically(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: no workspace snapshot taken ({Reason}); a fork from after this step copies the current workspace instead")]
    private static partial void LogNoSnapshot(ILogger logger, RunId runId, int step, string reason);
}
