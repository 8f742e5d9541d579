using System.Diagnostics;
using System.Globalization;

namespace Bot.Benchmarks;

/// <summary>
/// Tells apart the causes of a latency tail inside the bot process. Two clocks tick every 10 ms:
/// one on a dedicated thread (it lags only when the whole process stops: a blocking GC, or no CPU
/// for the process) and one on the thread pool (it also lags when the pool is starved). A slow
/// click with neither lagging waited on I/O: PostgreSQL, a commit's fsync, or the fake Discord.
/// </summary>
public sealed class StallWatch : IDisposable
{
    private const double LagThresholdMs = 25;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _dedicated;
    private readonly Task _pooled;
    private readonly List<(long At, double LagMs)> _processLags = [];
    private readonly List<(long At, double LagMs)> _poolLags = [];
    private long _maxPending;
    private long _maxPendingAt;
    private int _maxThreads;
    private int _threadsAtReset = ThreadPool.ThreadCount;
    private long _lastPoolTick = Stopwatch.GetTimestamp();
    private long _dumpedForTick;
    // BENCH_STALL_STACKS=<path of dotnet-stack>: the stacks of every thread while the pool is stalled.
    private readonly string? _stackTool = Environment.GetEnvironmentVariable("BENCH_STALL_STACKS");
    private long _origin = Stopwatch.GetTimestamp();
    private TimeSpan _pauseBefore = GC.GetTotalPauseDuration();

    public StallWatch()
    {
        _dedicated = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                Thread.Sleep(Tick);
                Record(_processLags, start);
                var pending = ThreadPool.PendingWorkItemCount;
                if (pending > _maxPending) (_maxPending, _maxPendingAt) = (pending, Stopwatch.GetTimestamp());
                _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
                DumpStacksIfPoolStalled();
            }
        }) { IsBackground = true, Name = "stall-watch", Priority = ThreadPriority.AboveNormal };
        _dedicated.Start();
        _pooled = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try { await Task.Delay(Tick, _stop.Token); } catch (OperationCanceledException) { return; }
                Record(_poolLags, start);
                Volatile.Write(ref _lastPoolTick, Stopwatch.GetTimestamp());
            }
        });
    }

    private void DumpStacksIfPoolStalled()
    {
        var last = Volatile.Read(ref _lastPoolTick);
        if (_stackTool is null || last == _dumpedForTick || Stopwatch.GetElapsedTime(last).TotalMilliseconds < 150) return;
        _dumpedForTick = last;
        var file = Path.Combine(Path.GetTempPath(), $"stall-stacks-{Environment.ProcessId}-{Stopwatch.GetTimestamp()}.txt");
        var info = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"'{_stackTool}' report -p {Environment.ProcessId} > '{file}' 2>&1" } };
        using var dump = Process.Start(info);
        Console.WriteLine($"pool stalled: stacks written to {file}");
    }

    /// <summary>Forgets the warm-up.</summary>
    public void Reset()
    {
        lock (_processLags) _processLags.Clear();
        lock (_poolLags) _poolLags.Clear();
        _origin = Stopwatch.GetTimestamp();
        (_maxPending, _maxThreads, _threadsAtReset) = (0, 0, ThreadPool.ThreadCount);
        _pauseBefore = GC.GetTotalPauseDuration();
    }

    private static void Record(List<(long, double)> lags, long start)
    {
        var now = Stopwatch.GetTimestamp();
        var lag = Stopwatch.GetElapsedTime(start, now).TotalMilliseconds - Tick.TotalMilliseconds;
        if (lag >= LagThresholdMs) lock (lags) lags.Add((now, lag));
    }

    /// <summary>One line per kind of stall, with when (seconds into the measurement) the worst ones happened.</summary>
    public IEnumerable<string> Report(IReadOnlyList<(long At, double Ms)> slowClicks)
    {
        string Seconds(long at) => Stopwatch.GetElapsedTime(_origin, at).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        string Worst(List<(long At, double Ms)> items) => string.Join(", ",
            items.OrderByDescending(x => x.Ms).Take(5).Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Ms:F0} ms at {Seconds(x.At)} s")));
        List<(long, double)> process, pool;
        lock (_processLags) process = [.. _processLags];
        lock (_poolLags) pool = [.. _poolLags];
        yield return string.Create(CultureInfo.InvariantCulture,
            $"GC pauses: {(GC.GetTotalPauseDuration() - _pauseBefore).TotalMilliseconds:F0} ms in total");
        yield return $"whole-process stalls over {LagThresholdMs} ms (dedicated thread late): {process.Count}; worst: {Worst(process)}";
        yield return $"thread-pool stalls over {LagThresholdMs} ms (pool timer late): {pool.Count}; worst: {Worst(pool)}";
        yield return $"thread pool: {_threadsAtReset} threads at the start, at most {_maxThreads}, {ThreadPool.ThreadCount} at the end; longest queue {_maxPending} items at {Seconds(_maxPendingAt)} s";
        yield return $"slowest clicks (gateway receipt -> callback sent, at receipt): {Worst([.. slowClicks])}";
    }

    /// <summary>Resident memory by kind, from /proc/self/status: anonymous (heaps, JIT code), file-backed (mapped assemblies), shared.</summary>
    public static string ResidentSet()
    {
        if (!File.Exists("/proc/self/status")) return "n/a";
        var fields = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal))
            .Select(l => l.Replace("\t", " ", StringComparison.Ordinal).Replace("  ", "", StringComparison.Ordinal));
        return string.Join("; ", fields);
    }

    /// <summary>The mappings holding most resident memory now, grouped by what backs them (/proc/self/smaps).</summary>
    public static string LargestMappings(int count)
    {
        if (!File.Exists("/proc/self/smaps")) return "n/a";
        var sizes = new Dictionary<string, long>();
        var name = "";
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-') && !parts[0].EndsWith(':'))
                name = parts.Length >= 6 ? Path.GetFileName(string.Join(' ', parts[5..])) : "[anonymous]";
            else if (parts[0] == "Rss:")
                sizes[name] = sizes.GetValueOrDefault(name) + long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return string.Join(", ", sizes.OrderByDescending(s => s.Value).Take(count).Select(s => $"{s.Key} {s.Value / 1024} MB"));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _dedicated.Join();
        try { _pooled.Wait(); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
