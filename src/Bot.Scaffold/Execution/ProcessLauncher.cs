using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bot.Scaffold.Execution;

/// <summary>
/// Starts child processes from one dedicated thread that lives as long as the bot. bwrap's
/// <c>--die-with-parent</c> uses PR_SET_PDEATHSIG, which fires when the *thread* that forked it
/// exits; .NET forks on the calling thread, and a retiring thread-pool thread would otherwise
/// SIGKILL a healthy sandbox mid-command (seen as exit 137).
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "process-launcher" };
        thread.Start();
    }

    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
