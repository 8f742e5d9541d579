using Bot.Data.Postgres;
using Bot.Testing.Postgres;
using Dapper;
using Npgsql;

namespace Bot.Data.Tests;

/// <summary>The private cluster listens on 127.0.0.1, where any local account can reach it: it must want the password.</summary>
public sealed class PrivateClusterSecurityTests
{
    [Fact]
    public async Task A_connection_without_the_password_is_refused()
    {
        await using var cluster = await PrivatePostgres.StartAsync(migrated: false);
        var withPassword = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false };
        Assert.False(string.IsNullOrEmpty(withPassword.Password));

        await using (var ok = new NpgsqlConnection(withPassword.ConnectionString))
        {
            await ok.OpenAsync();
            Assert.Equal(1, await ok.ExecuteScalarAsync<int>("SELECT 1"));
        }

        var none = new NpgsqlConnectionStringBuilder(withPassword.ConnectionString) { Password = null };
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () => { await using var c = new NpgsqlConnection(none.ConnectionString); await c.OpenAsync(); });

        // A wrong password reaches the server and is refused by it (not only by the client library).
        var wrong = new NpgsqlConnectionStringBuilder(withPassword.ConnectionString) { Password = "guess" };
        var refused = await Assert.ThrowsAsync<PostgresException>(async () => { await using var c = new NpgsqlConnection(wrong.ConnectionString); await c.OpenAsync(); });
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        Assert.True(LocalPostgres.OnlyPasswordRules(await File.ReadAllTextAsync(Path.Combine(cluster.Server.DataDirectory, "pg_hba.conf"))));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.Server.PasswordFile));
    }

    [Fact]
    public async Task A_cluster_made_with_trust_authentication_is_given_a_password_when_it_next_starts()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bot-localpg-trust-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var settings = new LocalPostgresSettings(Path.Combine(root, "data"), Durable: false);
        try
        {
            // What an older version left behind: trust rules and no password file.
            await using (var old = await LocalPostgres.StartAsync(settings))
            {
                await using (var c = new NpgsqlConnection(old.ConnectionString))
                    await c.ExecuteAsync("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
                await File.WriteAllTextAsync(Path.Combine(old.DataDirectory, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
                File.Delete(old.PasswordFile);
                await old.RestartAsync();
                await using var trusting = new NpgsqlConnection($"Host=127.0.0.1;Port={old.Port};Username=postgres;Database=postgres;Pooling=false");
                await trusting.OpenAsync();
            }

            await using var migrated = await LocalPostgres.StartAsync(settings);
            Assert.True(File.Exists(migrated.PasswordFile));
            Assert.True(LocalPostgres.OnlyPasswordRules(await File.ReadAllTextAsync(Path.Combine(migrated.DataDirectory, "pg_hba.conf"))));
            await using (var c = new NpgsqlConnection(migrated.ConnectionString))
                Assert.Equal("still here", await c.ExecuteScalarAsync<string>("SELECT v FROM kept"));
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
            {
                await using var c = new NpgsqlConnection($"Host=127.0.0.1;Port={migrated.Port};Username=postgres;Database=postgres;Pooling=false");
                await c.OpenAsync();
            });
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Theory]
    [InlineData("local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256 # ok\n", true)]
    [InlineData("# host all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n", true)]
    [InlineData("host all all 127.0.0.1/32 trust\n", false)]
    [InlineData("host all all 127.0.0.1 255.255.255.255 md5\n", false)]
    [InlineData("local all all peer\nhost all all ::1/128 scram-sha-256\n", false)]
    public void Only_rules_that_want_a_scram_password_pass(string hba, bool expected) =>
        Assert.Equal(expected, LocalPostgres.OnlyPasswordRules(hba));
}
