using Bot.Core.Domain;
using Bot.Core.Ports;
using Dapper;

namespace Bot.Data.Ports;

/// <summary><see cref="IDeadWorkReader"/> over the work table.</summary>
public sealed class DeadWorkPort(BotDatabase database) : IDeadWorkReader
{
    public async Task<DeadWorkSummary> GetDeadWorkAsync(RunId runId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT count(*)::int AS count,
                   coalesce(array_agg(DISTINCT kind ORDER BY kind), '{}') AS kinds,
                   (SELECT last_error FROM work_items d WHERE d.run_id = @run AND d.status = 'dead' ORDER BY d.completed_at DESC NULLS LAST, d.id DESC LIMIT 1) AS last_error
            FROM work_items WHERE run_id = @run AND status = 'dead'
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await c.QuerySingleAsync<(int count, string[] kinds, string? last_error)>(
            new CommandDefinition(sql, new { run = runId.Value }, cancellationToken: cancellationToken));
        return row.count == 0 ? DeadWorkSummary.None : new DeadWorkSummary(row.count, row.kinds, row.last_error);
    }
}
