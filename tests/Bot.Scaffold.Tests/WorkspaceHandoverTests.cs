using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Scaffold.Execution;

namespace Bot.Scaffold.Tests;

/// <summary>
/// Two bot processes, each with its own workspace folder and one shared snapshot folder: whichever
/// runs a run's next step finds the run's files as the previous step (of either process) left them.
/// </summary>
public sealed class WorkspaceHandoverTests
{
    [Fact]
    public async Task A_process_continuing_a_run_it_never_saw_and_one_whose_copy_is_stale_both_restore_the_newest_snapshot()
    {
        await using var a = await ScaffoldHarness.StartAsync();
        await using var b = await ScaffoldHarness.StartAsync(new() { ["Scaffold:Sandbox:SnapshotRoot"] = a.Get<WorkspaceSnapshots>().Root });
        var run = new RunId(901);
        IRunWorkspaces onA = a.Get<IRunWorkspaces>(), onB = b.Get<IRunWorkspaces>();

        // Process a prepares the run and executes step 1.
        var dirA = a.Get<Workspaces>().Ensure(run);
        await File.WriteAllTextAsync(Path.Combine(dirA, "notes.txt"), "prepared");
        Assert.True((await onA.SnapshotAsync(run, 0)).IsSuccess);
        Assert.True((await onA.EnsureCurrentAsync(run, 1)).IsSuccess);
        await File.WriteAllTextAsync(Path.Combine(dirA, "notes.txt"), "after step 1");
        Assert.True((await onA.SnapshotAsync(run, 1)).IsSuccess);

        // Process b executes step 2 without ever having had the run on its disk.
        var dirB = b.Get<Workspaces>().PathOf(run);
        Assert.False(Directory.Exists(dirB));
        var restored = await onB.EnsureCurrentAsync(run, 2);
        Assert.True(restored.IsSuccess, restored.Error?.ToString());
        Assert.Equal("after step 1", await File.ReadAllTextAsync(Path.Combine(dirB, "notes.txt")));
        await File.WriteAllTextAsync(Path.Combine(dirB, "notes.txt"), "after step 2");
        Assert.True((await onB.SnapshotAsync(run, 2)).IsSuccess);

        // Process a gets step 3: its own copy is at step 1, older than the store's step 2.
        Assert.True((await onA.EnsureCurrentAsync(run, 3)).IsSuccess);
        Assert.Equal("after step 2", await File.ReadAllTextAsync(Path.Combine(dirA, "notes.txt")));

        // A copy that is current is left alone (its files are not rewritten).
        await File.WriteAllTextAsync(Path.Combine(dirA, "scratch.txt"), "uncaptured");
        Assert.True((await onA.EnsureCurrentAsync(run, 3)).IsSuccess);
        Assert.True(File.Exists(Path.Combine(dirA, "scratch.txt")));
    }
}
