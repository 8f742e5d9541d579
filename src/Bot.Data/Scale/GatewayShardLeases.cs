using Bot.Core.Ports;
using Dapper;

namespace Bot.Data.Scale;

/// <summary><see cref="IGatewayShardLeases"/> over the <c>gateway_shards</c> table (0008_scale.sql).</summary>
public sealed class GatewayShardLeases(BotDatabase database, TimeProvider time) : IGatewayShardLeases
{
    public async Task<IReadOnlyList<int>> HoldAsync(string owner, int shardCount, IReadOnlyList<int> wanted, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        // One statement: a renewal and a takeover are the same upsert, and the row lock it takes
        // means two processes racing for a free shard cannot both get it.
        const string sql = """
            INSERT INTO gateway_shards AS g (shard_count, shard_id, owner, leased_until)
            SELECT @shardCount, s, @owner, @until FROM unnest(@wanted) AS s
            ON CONFLICT (shard_count, shard_id) DO UPDATE SET owner = EXCLUDED.owner, leased_until = EXCLUDED.leased_until
                WHERE g.owner = EXCLUDED.owner OR g.leased_until < @now
            RETURNING shard_id
            """;
        var now = time.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var held = await connection.QueryAsync<int>(new CommandDefinition(sql,
            new { shardCount, owner, wanted = wanted.ToArray(), now, until = now + lease }, cancellationToken: cancellationToken));
        return held.Order().ToList();
    }

    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken = default)
    {
        const string sql = "DELETE FROM gateway_shards WHERE owner = @owner";
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { owner }, cancellationToken: cancellationToken));
    }
}
