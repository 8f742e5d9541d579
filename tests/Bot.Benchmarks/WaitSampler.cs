using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Bot.Benchmarks;

/// <summary>
/// What PostgreSQL's busy backends wait on during a load (<c>--pg-waits</c>): pg_stat_activity
/// sampled every 20 ms, counted by wait event and statement. Lock waits show here by the statement
/// that waited; CPU shows as no wait event. It also times the WAL flushes it sees: a process found
/// in <c>IO:WALSync</c> in consecutive samples was in one flush at least that long, so the slow
/// flushes of the bot's window and the peer's can be counted side by side.
/// </summary>
internal sealed class WaitSampler : IAsyncDisposable
{
    private const double SlowFlushMs = 60;
    private const int IntervalMs = 20;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _label;
    private readonly Dictionary<string, int> _counts = [];
    private readonly Dictionary<int, double> _inFlush = [];
    private readonly List<(double At, double Ms)> _slowFlushes = [];
    // BENCH_WAITS_FILE=<path>: every sample, to place a stall the bot reports against what the server did.
    private readonly string? _timelineFile = Environment.GetEnvironmentVariable("BENCH_WAITS_FILE") is { Length: > 0 } f ? f : null;
    private readonly List<string> _timeline = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _samples;

    public WaitSampler(NpgsqlDataSource data, string label)
    {
        _label = label;
        _loop = Task.Run(() => SampleAsync(data));
    }

    private async Task SampleAsync(NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        while (!_stop.IsCancellationRequested)
        {
            var rows = (await c.QueryAsync<(int pid, string backend, string? type, string? wait, string query)>("""
                SELECT pid, backend_type, wait_event_type, wait_event, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
                FROM pg_stat_activity
                WHERE pid <> pg_backend_pid()
                  AND ((state = 'active' AND backend_type = 'client backend') OR (backend_type = 'walwriter' AND wait_event = 'WALSync'))
                """)).ToList();
            var now = _clock.Elapsed.TotalMilliseconds;
            _samples++;
            foreach (var r in rows.Where(r => r.backend == "client backend"))
            {
                var key = $"{(r.type is null ? "CPU" : r.type + ":" + r.wait),-24} {r.query}";
                _counts[key] = _counts.GetValueOrDefault(key) + 1;
            }
            var flushing = rows.Where(r => r.wait == "WALSync").Select(r => r.pid).ToHashSet();
            foreach (var pid in flushing) _inFlush.TryAdd(pid, now);
            foreach (var (pid, since) in _inFlush.Where(f => !flushing.Contains(f.Key)).ToList())
            {
                _inFlush.Remove(pid);
                EndFlush(since, now);
            }
            if (_timelineFile is not null)
                _timeline.Add(string.Create(CultureInfo.InvariantCulture, $"  {now / 1000:F2} s: {rows.Count} backends")
                    + string.Concat(rows.Select(r => $"\n      {r.backend} {r.type ?? "CPU"}:{r.wait} {r.query}")));
            try { await Task.Delay(IntervalMs, _stop.Token); } catch (OperationCanceledException) { }
        }
        foreach (var since in _inFlush.Values) EndFlush(since, _clock.Elapsed.TotalMilliseconds);
    }

    // Seen from `since` until a sample before `now` at the latest: at least now - since - one interval.
    private void EndFlush(double since, double now)
    {
        var atLeast = now - since - IntervalMs;
        if (atLeast >= SlowFlushMs) _slowFlushes.Add((since / 1000, atLeast));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Console.WriteLine($"pg_stat_activity ({_label}): {_samples} samples; active backends by wait event and statement (samples):");
        foreach (var (key, count) in _counts.OrderByDescending(kv => kv.Value).Take(14))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,6}  {key}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WAL flushes of at least {SlowFlushMs} ms ({_label}): {_slowFlushes.Count}; {string.Join(", ", _slowFlushes.Select(f => $"{f.Ms:F0} ms at {f.At:F1} s"))}"));
        if (_timelineFile is not null) await File.AppendAllLinesAsync(_timelineFile, [$"== {_label}", .. _timeline]);
        _stop.Dispose();
    }
}
