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
            var text = r.query.Length > 150 ? r.query[..150] + "…" : r.query;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.total_ms,9:F0} ms {r.calls,8} calls {r.total_ms / Math.Max(1, r.calls),7:F3} ms/call  {text}"));
        }
    }
}
