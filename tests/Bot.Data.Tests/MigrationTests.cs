using Bot.Data.Migrations;
using Bot.Testing.Postgres;
using Dapper;

namespace Bot.Data.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrating_twice_applies_each_script_once()
    {
        await using var db = await PostgresDatabase.CreateAsync(migrated: false);
        var first = await new Migrator(db.DataSource).MigrateAsync();
        var second = await new Migrator(db.DataSource).MigrateAsync();

        Assert.Equal(Migrator.Embedded.Select(m => m.Version), first);
        Assert.Empty(second);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(Migrator.Embedded.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Several_processes_migrating_at_once_do_not_race()
    {
        await using var db = await PostgresDatabase.CreateAsync(migrated: false);
        // Separate data sources = separate sessions, as separate processes would have.
        var sources = Enumerable.Range(0, 4).Select(_ => Npgsql.NpgsqlDataSource.Create(db.ConnectionString)).ToList();
        try
        {
            var results = await Task.WhenAll(sources.Select(s => Task.Run(() => new Migrator(s).MigrateAsync())));

            Assert.Equal(Migrator.Embedded.Count, results.Sum(r => r.Count));
            Assert.Single(results, r => r.Count > 0);
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(Migrator.Embedded.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
            Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('work_items') IS NOT NULL"));
        }
        finally
        {
            foreach (var s in sources) await s.DisposeAsync();
        }
    }

    [Fact]
    public void Embedded_migrations_are_numbered_from_one_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, Migrator.Embedded.Count), Migrator.Embedded.Select(m => m.Version));
    }
}
