using Bot.Core.Ports;
using Dapper;
using Npgsql;

namespace Bot.Data.Scale;

/// <summary>
/// <see cref="IClusterLocks"/> as PostgreSQL session advisory locks: the lock lives on a connection
/// held for the duration, so a process that dies (its connection drops) releases it at once. A
/// session lock rather than <c>pg_advisory_xact_lock</c> because what it guards is a Discord
/// request, which must not run inside an open transaction. The connection comes from the pool of held
/// connections (<see cref="BotDatabase.HeldDataSource"/>): a Discord request can wait seconds on a rate limit,
/// and eight of them holding query connections once starved the click path of a 12-connection pool.
/// </summary>
public sealed class AdvisoryClusterLocks(BotDatabase database) : IClusterLocks
{
    public async Task<IAsyncDisposable> AcquireAsync(ClusterLock lockKind, long key, CancellationToken cancellationToken = default)
    {
        var connection = await database.HeldDataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // The two-int form: the kind is its own key space; a long id folded to 32 bits may share
            // a lock with another id, which only makes them wait for each other.
            var objectId = unchecked((int)(key ^ (key >> 32)));
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@kind, @objectId)",
                new { kind = (int)lockKind, objectId }, cancellationToken: cancellationToken));
            return new Held(connection, (int)lockKind, objectId);
        }
        catch
        {
            // Cancelled while waiting: closing the connection abandons the wait (and any lock).
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, int kind, int objectId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@kind, @objectId)", new { kind, objectId });
            }
            finally
            {
                // Back to the pool (which does not reset sessions: NoResetOnClose), unlocked. An unlock
                // that threw means a broken connection, which Npgsql does not return to the pool.
                await connection.DisposeAsync();
            }
        }
    }
}
