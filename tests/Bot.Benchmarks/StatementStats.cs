using System.Globalization;
using Dapper;
using Npgsql;

namespace Bot.Benchmarks;

/// <summary>pg_stat_statements over the measured window: which statements the database spent its time on, per vote.</summary>
internal static class StatementStats
{
    public static async Task ResetAsync(NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        await c.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        await c.ExecuteAsync("SELECT pg_stat_statements_reset()");
    }

    public static async Task PrintAsync(NpgsqlDataSource data, long votes, int top = 15)
    {
        await using var c = await data.OpenConnectionAsync();
        var rows = await c.QueryAsync<(long calls, double total_ms, long rows, string query)>("""
            SELECT calls, total_exec_time AS total_ms, rows, regexp_replace(query, '\s+', ' ', 'g') AS query
            FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
            ORDER BY total_exec_time DESC LIMIT @top
            """, new { top });
        var all = await c.ExecuteScalarAsync<double>("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements");
        var calls = await c.ExecuteScalarAsync<long>("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pg_stat_statements: {calls} statements, {all:F0} ms executing; per vote {calls / (double)Math.Max(1, votes):F1} statements, {all / Math.Max(1, votes):F2} ms"));
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.total_ms,9:F0} ms {r.calls,8} calls {r.total_ms / Math.Max(1, r.calls),7:F3} ms/call  {Short(r.query)}"));
        }
        // A stall inside the server (a commit waiting on its WAL flush, a lock) shows as a statement's worst time.
        var slowest = await c.QueryAsync<(double max_ms, long calls, string query)>("""
            SELECT max_exec_time AS max_ms, calls, regexp_replace(query, '\s+', ' ', 'g') AS query
            FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY max_exec_time DESC LIMIT 5
            """);
        Console.WriteLine("slowest single executions:");
        foreach (var r in slowest)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.max_ms,9:F1} ms max of {r.calls,8} calls  {Short(r.query)}"));
    }

    private static string Short(string query) => query.Length > 150 ? query[..150] + "…" : query;
}
