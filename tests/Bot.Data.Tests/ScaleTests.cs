using Bot.Core.Ports;
using Bot.Data.Scale;
using Bot.Testing.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Bot.Data.Tests;

/// <summary>Shard leases and cluster locks: what lets several bot processes share one database.</summary>
public sealed class ScaleTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_held_shard_is_not_given_to_another_process_until_its_lease_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var leases = new GatewayShardLeases(db.Database, time);
        var (a, b) = ($"a-{Guid.NewGuid():N}", $"b-{Guid.NewGuid():N}");
        const int count = 101;

        Assert.Equal([0, 1], await leases.HoldAsync(a, count, [0, 1], Lease));
        Assert.Equal([2], await leases.HoldAsync(b, count, [0, 1, 2], Lease));

        // a keeps renewing: b gets nothing of a's.
        time.Advance(Lease / 2);
        Assert.Equal([0, 1], await leases.HoldAsync(a, count, [0, 1], Lease));
        time.Advance(Lease / 2 + TimeSpan.FromSeconds(1));
        Assert.Equal([2], await leases.HoldAsync(b, count, [0, 1, 2], Lease));

        // a stops renewing (it died): once its lease ran out, b takes its shards and a's next renewal gets none.
        time.Advance(Lease);
        Assert.Equal([0, 1, 2], await leases.HoldAsync(b, count, [0, 1, 2], Lease));
        Assert.Empty(await leases.HoldAsync(a, count, [0, 1], Lease));
    }

    [Fact]
    public async Task A_released_shard_is_free_at_once()
    {
        var leases = new GatewayShardLeases(db.Database, TimeProvider.System);
        var (a, b) = ($"a-{Guid.NewGuid():N}", $"b-{Guid.NewGuid():N}");
        Assert.Equal([0], await leases.HoldAsync(a, 102, [0], Lease));
        Assert.Empty(await leases.HoldAsync(b, 102, [0], Lease));
        await leases.ReleaseAsync(a);
        Assert.Equal([0], await leases.HoldAsync(b, 102, [0], Lease));
    }

    [Fact]
    public async Task A_cluster_lock_makes_a_second_holder_wait_until_the_first_releases_it()
    {
        var locks = new AdvisoryClusterLocks(db.Database);
        var key = Random.Shared.NextInt64();
        var first = await locks.AcquireAsync(ClusterLock.StepMessage, key);
        var second = locks.AcquireAsync(ClusterLock.StepMessage, key);
        // Another kind with the same key is another lock: it is granted while the first is held.
        await using (await locks.AcquireAsync(ClusterLock.RunThread, key).WaitAsync(TimeSpan.FromSeconds(30))) { }
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();
        await using var got = await second.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Cluster_locks_held_to_the_pool_size_leave_the_query_pool_free()
    {
        // Two connections per pool; a query waits at most 5 s for one (the pool's timeout).
        var options = Microsoft.Extensions.Options.Options.Create(new DatabaseOptions { MaxPoolSize = 2, MigrateOnStart = false });
        await using var database = new BotDatabase(options, db.ConnectionString + ";Timeout=5");
        await database.StartAsync();
        var locks = new AdvisoryClusterLocks(database);
        var key = Random.Shared.NextInt64();

        await using var first = await locks.AcquireAsync(ClusterLock.StepMessage, key);
        await using var second = await locks.AcquireAsync(ClusterLock.RunThread, key);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var query = new Npgsql.NpgsqlCommand("SELECT count(*) FROM runs", connection);
        Assert.IsType<long>(await query.ExecuteScalarAsync());
    }
}
