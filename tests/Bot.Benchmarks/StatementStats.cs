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
        var rows = await c.QueryAsync<(long calls, double total_ms, long plans, double plan_ms, string query)>("""
            SELECT calls, total_exec_time AS total_ms, plans, total_plan_time AS plan_ms, regexp_replace(query, '\s+', ' ', 'g') AS query
            FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
            ORDER BY total_exec_time DESC LIMIT @top
            """, new { top });
        var all = await c.ExecuteScalarAsync<double>("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements");
        var planning = await c.ExecuteScalarAsync<double>("SELECT coalesce(sum(total_plan_time), 0) FROM pg_stat_statements");
        var calls = await c.ExecuteScalarAsync<long>("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pg_stat_statements: {calls} statements, {all:F0} ms executing and {planning:F0} ms planning; per vote {calls / (double)Math.Max(1, votes):F1} statements, {all / Math.Max(1, votes):F2} ms executing, {planning / Math.Max(1, votes):F2} ms planning"));
        // A prepared statement is planned again at each execution while the server prefers custom plans for it.
        Console.WriteLine("  (per statement: executing; calls; planned: times and time)");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.total_ms,9:F0} ms {r.calls,8} calls {r.total_ms / Math.Max(1, r.calls),7:F3} ms/call; planned {r.plans,6}x {r.plan_ms,6:F0} ms  {Short(r.query)}"));
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
