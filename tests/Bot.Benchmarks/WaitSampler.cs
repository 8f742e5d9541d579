using System.Globalization;
using Dapper;
using Npgsql;

namespace Bot.Benchmarks;

/// <summary>
/// What PostgreSQL's busy backends wait on during the load (<c>--pg-waits</c>): pg_stat_activity
/// sampled every 20 ms, counted by wait event and statement. Lock waits show here by the statement
/// that waited; CPU shows as no wait event.
/// </summary>
internal sealed class WaitSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, int> _counts = [];
    private int _samples;

    public WaitSampler(NpgsqlDataSource data) => _loop = Task.Run(() => SampleAsync(data));

    private async Task SampleAsync(NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        while (!_stop.IsCancellationRequested)
        {
            var rows = await c.QueryAsync<(string? type, string? wait, string query)>("""
                SELECT wait_event_type, wait_event, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
                FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                """);
            _samples++;
            foreach (var (type, wait, query) in rows)
            {
                var key = $"{(type is null ? "CPU" : type + ":" + wait),-24} {query}";
                _counts[key] = _counts.GetValueOrDefault(key) + 1;
            }
            try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Console.WriteLine($"pg_stat_activity: {_samples} samples; active backends by wait event and statement (samples):");
        foreach (var (key, count) in _counts.OrderByDescending(kv => kv.Value).Take(14))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,6}  {key}"));
        _stop.Dispose();
    }
}
