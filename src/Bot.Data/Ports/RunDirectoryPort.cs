using RunSummary = Bot.Core.Ports.RunSummary;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Stores;
using Dapper;

namespace Bot.Data.Ports;

/// <summary><see cref="IRunDirectory"/> over the runs table.</summary>
public sealed class RunDirectoryPort(BotDatabase database) : IRunDirectory
{
    public async Task<Result<RunSummary>> GetRunAsync(RunId runId, CancellationToken cancellationToken = default)
    {
        const string sql = $"SELECT {PortRows.RunColumns} FROM runs r WHERE r.id = @id";
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<PortRows.RunRow>(new CommandDefinition(sql, new { id = runId.Value }, cancellationToken: cancellationToken));
        return row is null ? DataErrors.UnknownRun(runId) : PortRows.ToSummary(row);
    }

    public async Task<RunSummary?> FindByThreadAsync(ulong threadChannelId, CancellationToken cancellationToken = default)
    {
        const string sql = $"SELECT {PortRows.RunColumns} FROM runs r WHERE r.discord_thread_id = @thread";
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<PortRows.RunRow>(new CommandDefinition(sql, new { thread = PortRows.Text(threadChannelId) }, cancellationToken: cancellationToken));
        return row is null ? null : PortRows.ToSummary(row);
    }

    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(bool activeOnly, string? search = null, int limit = 25, CancellationToken cancellationToken = default)
    {
        const string sql = $"""
            SELECT {PortRows.RunColumns} FROM runs r
            WHERE (NOT @active OR r.status NOT IN ('completed', 'failed', 'aborted'))
              AND (@search::text IS NULL OR r.task_name ILIKE '%' || @search::text || '%' OR r.id::text = @search::text)
            ORDER BY r.id DESC LIMIT @limit
            """;
        var pattern = search?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await c.QueryAsync<PortRows.RunRow>(new CommandDefinition(sql,
            new { active = activeOnly, search = string.IsNullOrWhiteSpace(pattern) ? null : pattern.Trim(), limit = Math.Clamp(limit, 1, 100) }, cancellationToken: cancellationToken));
        return rows.Select(PortRows.ToSummary).ToList();
    }

    public async Task<Result<RunTreeNode>> GetTreeAsync(RunId runId, CancellationToken cancellationToken = default)
    {
        // A run hangs below its parent (sub-run) or below the run it branched from (fork, restart).
        const string sql = $"""
            WITH RECURSIVE link AS (
                SELECT r.id, COALESCE(r.parent_run_id, o.run_id) AS origin FROM runs r LEFT JOIN steps o ON o.id = r.forked_from_step_id
            ), up AS (
                SELECT id, origin, 0 AS hops FROM link WHERE id = @id
                UNION ALL
                SELECT l.id, l.origin, up.hops + 1 FROM link l JOIN up ON l.id = up.origin WHERE up.hops < 100
            ), root AS (SELECT id FROM up ORDER BY hops DESC LIMIT 1),
            down AS (
                SELECT id, 0 AS depth FROM root
                UNION ALL
                SELECT l.id, down.depth + 1 FROM link l JOIN down ON l.origin = down.id WHERE down.depth < 100
            )
            SELECT {PortRows.RunColumns} FROM down JOIN runs r ON r.id = down.id ORDER BY down.depth, r.id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var runs = (await c.QueryAsync<PortRows.RunRow>(new CommandDefinition(sql, new { id = runId.Value }, cancellationToken: cancellationToken)))
            .Select(PortRows.ToSummary).ToList();
        if (runs.Count == 0) return DataErrors.UnknownRun(runId);
        var children = runs.Where(r => (r.ParentRunId ?? r.BranchedFromRun) is not null).ToLookup(r => (r.ParentRunId ?? r.BranchedFromRun)!.Value);
        RunTreeNode Build(RunSummary run) => new(run, children[run.RunId].Select(Build).ToList());
        return Build(runs[0]);
    }
}
