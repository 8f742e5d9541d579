namespace Bot.Core.Ports;

/// <summary>
/// Which bot process runs which gateway shard, when several share one database: a shard is held
/// under a lease its process renews; a lease not renewed in time (the process died) lets another
/// process take the shard over.
/// </summary>
public interface IGatewayShardLeases
{
    /// <summary>
    /// Renews the leases <paramref name="owner"/> holds among <paramref name="wanted"/> and takes
    /// those that are free or expired; returns every shard of <paramref name="wanted"/> it now holds.
    /// </summary>
    Task<IReadOnlyList<int>> HoldAsync(string owner, int shardCount, IReadOnlyList<int> wanted, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Gives up every shard of <paramref name="owner"/> (a clean stop), so another process need not wait for the lease.</summary>
    Task ReleaseAsync(string owner, CancellationToken cancellationToken = default);
}

/// <summary>
/// Mutual exclusion across every process on the database, for side effects that must not happen
/// twice at once (opening a run's thread, posting a step). Held until the returned handle is
/// disposed, and released by the database if the holding process dies.
/// </summary>
public interface IClusterLocks
{
    Task<IAsyncDisposable> AcquireAsync(ClusterLock lockKind, long key, CancellationToken cancellationToken = default);
}

/// <summary>What a cluster lock guards; each kind is its own key space.</summary>
public enum ClusterLock
{
    RunThread = 1,
    StepMessage = 2,
}
