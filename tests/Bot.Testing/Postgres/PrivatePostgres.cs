using Bot.Data;
using Bot.Data.Migrations;
using Bot.Data.Postgres;
using Npgsql;

namespace Bot.Testing.Postgres;

/// <summary>
/// A PostgreSQL cluster of one test's own, for fault tests that restart or stop the server (the
/// shared cluster of <see cref="PostgresCluster"/> serves every other test running in parallel).
/// Holds one migrated database, <see cref="DatabaseName"/>. Stopped and deleted on dispose; a
/// killed test process's cluster is cleaned up by the next one (same folder naming).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string DatabaseName = "bot";
    private readonly string _root;

    private PrivatePostgres(string root, LocalPostgres server)
    {
        _root = root;
        Server = server;
    }

    public LocalPostgres Server { get; }

    /// <summary>Connection string (with the cluster's password) of the migrated database.</summary>
    public string ConnectionString => Server.ConnectionStringFor(DatabaseName);

    public static async Task<PrivatePostgres> StartAsync(bool migrated = true)
    {
        var root = Path.Combine(Path.GetTempPath(), $"bot-test-pg-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        // The postgres account (when we are root) must be able to walk into the folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var server = await LocalPostgres.StartAsync(new LocalPostgresSettings(Path.Combine(root, "data"), Durable: false));
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
            await BotDatabase.EnsureDatabaseAsync(admin, DatabaseName);
        if (migrated)
        {
            await using var source = NpgsqlDataSource.Create(server.ConnectionStringFor(DatabaseName));
            await new Migrator(source).MigrateAsync();
        }
        return new PrivatePostgres(root, server);
    }

    /// <summary>pg_ctl stop -m fast, wait <paramref name="downtime"/>, start again on the same port.</summary>
    public Task RestartAsync(TimeSpan downtime = default) => Server.RestartAsync(downtime);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
