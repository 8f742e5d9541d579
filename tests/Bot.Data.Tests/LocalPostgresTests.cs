using Bot.Data.Postgres;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Data.Tests;

public sealed class LocalPostgresTests
{
    [Fact]
    public async Task Without_a_connection_string_a_private_cluster_is_started_migrated_stopped_and_reused()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bot-localpg-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var options = Options.Create(new DatabaseOptions { DataDirectory = Path.Combine(root, "pg"), DatabaseName = "bot_local" });
        try
        {
            int firstPort;
            await using (var database = new BotDatabase(options, connectionString: null))
            {
                await database.StartAsync();
                await using var c = await database.DataSource.OpenConnectionAsync();
                firstPort = new NpgsqlConnectionStringBuilder(c.ConnectionString).Port;
                Assert.Equal("127.0.0.1", new NpgsqlConnectionStringBuilder(c.ConnectionString).Host);
                Assert.True(await c.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations") >= 1);
                await c.ExecuteAsync("INSERT INTO runs (task_name, model, mode, settings, status, created_by, created_at, updated_at) VALUES ('kept', 'm', 'vote', '{}', 'voting', 'x', now(), now())");
            }
            Assert.False(await IsListeningAsync(firstPort));

            // Same folder again: no initdb, the data is still there.
            await using (var database = new BotDatabase(options, connectionString: null))
            {
                await database.StartAsync();
                await using var c = await database.DataSource.OpenConnectionAsync();
                Assert.Equal("kept", await c.ExecuteScalarAsync<string>("SELECT task_name FROM runs"));
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Missing_binaries_error_says_how_to_install_them_or_configure_a_server()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-postgres-{Guid.NewGuid():N}");
        Assert.Null(PostgresBinaries.Find(missing));
        var error = Assert.Throws<PostgresNotFoundException>(() => PostgresBinaries.FindOrThrow(missing));
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("ConnectionStrings:Postgres", error.Message);
    }

    [Fact]
    public void Installed_binaries_are_found_on_this_machine()
    {
        var bin = PostgresBinaries.Find();
        Assert.NotNull(bin);
        Assert.True(File.Exists(Path.Combine(bin, "postgres")), $"{bin} should hold the server next to initdb");
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try { await client.ConnectAsync(System.Net.IPAddress.Loopback, port); return true; }
        catch (System.Net.Sockets.SocketException) { return false; }
    }
}
