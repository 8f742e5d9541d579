using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Scaffold.Execution;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Tests;

/// <summary>Limits that must hold for the whole process tree of one command, through the real bubblewrap executor.</summary>
public sealed class SandboxLimitsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]  // a cgroup per execution where the host allows one (it does on the reference machine)
    [InlineData(false)] // the RLIMIT_NPROC fallback, forced, so it is tested even where cgroups exist
    public async Task A_fork_storm_is_capped_at_the_process_limit_and_its_tree_is_killed_afterwards(bool useCgroups)
    {
        const int limit = 64;
        var marker = useCgroups ? "20.4241" : "20.4243";
        await using var h = await ScaffoldHarness.StartAsync(new()
        {
            ["Scaffold:Sandbox:MaxProcesses"] = limit.ToString(),
            ["Scaffold:Sandbox:TimeLimitSeconds"] = "5",
            ["Scaffold:Sandbox:UseCgroups"] = useCgroups.ToString(),
        });
        var enforcement = h.Get<SandboxEnforcement>();
        output.WriteLine(enforcement.Description(h.Get<IOptions<ScaffoldOptions>>().Value.Sandbox));
        var run = new RunId(301);

        var result = await h.Get<IActionExecutor>().ExecuteAsync(run,
            $"for i in $(seq 2000); do (echo x >> started; exec sleep {marker}) & done; wait");

        var started = File.ReadAllLines(Path.Combine(h.Get<Workspaces>().PathOf(run), "started")).Length;
        output.WriteLine($"started {started}; stderr: {result.Value.Stderr[..Math.Min(300, result.Value.Stderr.Length)]}");
        Assert.InRange(started, 1, limit);
        Assert.Matches("fork: retry|Resource temporarily unavailable", result.Value.Stderr);
        Assert.Equal(useCgroups, enforcement.UsesCgroups);
        if (enforcement.UsesCgroups)
        {
            Assert.Contains("[sandbox] the process limit refused", result.Value.Stderr);
        }
        // Kernel teardown of the PID namespace is asynchronous; poll generously, never assert speed.
        for (var i = 0; i < 100 && SandboxProbes.SleepersAlive(marker) > 0; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, SandboxProbes.SleepersAlive(marker));
    }

    [Fact]
    public async Task Ten_processes_allocating_50_MB_each_are_held_to_the_trees_200_MB_cap()
    {
        await using var h = await ScaffoldHarness.StartAsync(new() { ["Scaffold:Sandbox:TotalMemoryLimitMegabytes"] = "200" });
        var enforcement = h.Get<SandboxEnforcement>();
        // Without a cgroup only the per-process cap exists; say so rather than pass vacuously.
        Assert.True(enforcement.UsesCgroups, $"A memory cap for the whole tree needs a cgroup; here: {enforcement.Description(h.Get<IOptions<ScaffoldOptions>>().Value.Sandbox)}");

        // Each process holds its 50 MB until all ten hold theirs (or 4 s pass), so the allocations overlap.
        const string allocate = "import os,time\nx=b'a'*(50<<20)\nopen('held/%d'%os.getpid(),'w').close()\nt=time.time()\n" +
            "while len(os.listdir('held'))<10 and time.time()-t<4: time.sleep(0.05)\nprint('ok', len(x)//(1<<20))";
        var result = await h.Get<IActionExecutor>().ExecuteAsync(new RunId(311),
            $"mkdir held; for i in $(seq 10); do python3 -c \"{allocate}\" & done; wait");

        var survivors = result.Value.Stdout.Split('\n').Count(l => l == "ok 50");
        output.WriteLine($"survivors {survivors}; stderr: {result.Value.Stderr}");
        Assert.InRange(survivors, 0, 4); // 200 MB holds at most four 50 MB buffers
        Assert.Contains("exceeding the memory limit", result.Value.Stderr);
    }

    [Fact]
    public async Task Tmp_and_dev_shm_are_size_capped_and_dev_is_read_only()
    {
        await using var h = await ScaffoldHarness.StartAsync(new()
        {
            ["Scaffold:Sandbox:TmpSizeMegabytes"] = "64",
            ["Scaffold:Sandbox:ShmSizeMegabytes"] = "16",
        });

        var result = await h.Get<IActionExecutor>().ExecuteAsync(new RunId(321),
            "for i in 1 2 3; do head -c 64M /dev/zero > /tmp/f$i || echo TMP-FULL-$i; done; " +
            "for i in 1 2 3; do head -c 16M /dev/zero > /dev/shm/f$i || echo SHM-FULL-$i; done; " +
            "echo x > /dev/planted || echo DEV-RO; echo x > /dev/null && echo NULL-OK; du -sm /tmp /dev/shm");

        var stdout = result.Value.Stdout;
        Assert.Contains("TMP-FULL-", stdout);
        Assert.Contains("SHM-FULL-", stdout);
        Assert.Contains("DEV-RO", stdout);
        Assert.Contains("NULL-OK", stdout);
        Assert.Contains("No space left on device", result.Value.Stderr);
        var sizes = stdout.Split('\n').Where(l => l.Contains('\t')).Select(l => int.Parse(l.Split('\t')[0])).ToList();
        Assert.All(sizes, s => Assert.True(s <= 64, $"a tmpfs held {s} MB"));
    }

    [Fact]
    public async Task The_command_runs_unprivileged_without_etc_shadow_or_nested_user_namespaces()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        var enforcement = h.Get<SandboxEnforcement>();

        var result = await h.Get<IActionExecutor>().ExecuteAsync(new RunId(331),
            "id -u; touch made-inside; cat /etc/shadow || echo NO-SHADOW; cat /etc/gshadow || echo NO-GSHADOW; " +
            "ls /etc/ssh >/dev/null 2>&1 || echo NO-SSH; unshare -U true 2>/dev/null || echo NO-USERNS; getent passwd nobody >/dev/null && echo PASSWD-OK");

        var lines = result.Value.Stdout.Split('\n');
        Assert.NotEqual("0", lines[0]);
        // The host's view: a file the command created belongs to a non-root uid, not to root behind a namespace.
        var made = Path.Combine(h.Get<Workspaces>().PathOf(new RunId(331)), "made-inside");
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", made]) { RedirectStandardOutput = true })!;
        var hostOwner = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        Assert.NotEqual("0", hostOwner);
        Assert.NotEqual("", hostOwner);
        Assert.Contains("NO-SHADOW", lines);
        Assert.Contains("NO-GSHADOW", lines);
        Assert.Contains("NO-SSH", lines);
        Assert.Contains("PASSWD-OK", lines);
        Assert.DoesNotContain("root:", result.Value.Stdout);
        if (enforcement.SupportsDisableUserns)
        {
            Assert.Contains("NO-USERNS", lines);
        }
        Assert.True(enforcement.DropRoot == (Environment.UserName == "root"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/etc/shadow")]
    [InlineData("{workspaces}")]
    [InlineData("{parent}")]
    [InlineData("{content}")]
    [InlineData("{snapshots}")]
    [InlineData("{snapshots}/objects")]
    public async Task ReadOnlyPaths_that_expose_the_host_or_the_bots_folders_are_refused_by_validation(string path)
    {
        var parent = Path.Combine(Path.GetTempPath(), $"ro-validation-{Guid.NewGuid():N}");
        var workspaces = Path.Combine(parent, "workspaces");
        // Apart from the workspaces' folder, so only the snapshot rule can refuse it.
        var snapshots = Path.Combine(Path.GetTempPath(), $"ro-snapshots-{Guid.NewGuid():N}");
        var resolved = path.Replace("{workspaces}", workspaces).Replace("{parent}", parent).Replace("{content}", Directory.GetCurrentDirectory())
            .Replace("{snapshots}", snapshots);
        await using var h = await ScaffoldHarness.StartAsync(new()
        {
            ["Scaffold:Sandbox:WorkspaceRoot"] = workspaces,
            ["Scaffold:Sandbox:SnapshotRoot"] = snapshots,
            ["Scaffold:Sandbox:ReadOnlyPaths:7"] = resolved,
        });

        var error = Assert.Throws<OptionsValidationException>(() => h.Get<IOptions<ScaffoldOptions>>().Value);

        Assert.Contains($"Scaffold:Sandbox:ReadOnlyPaths: '{resolved}'", error.Message);
    }

    [Fact]
    public async Task The_default_read_only_paths_pass_validation()
    {
        await using var h = await ScaffoldHarness.StartAsync();

        Assert.DoesNotContain("/etc", h.Get<IOptions<ScaffoldOptions>>().Value.Sandbox.ReadOnlyPaths);
    }
}

internal static class SandboxProbes
{
    public static int SleepersAlive(string marker)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("sleep ", StringComparison.Ordinal) && cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return count;
    }
}
