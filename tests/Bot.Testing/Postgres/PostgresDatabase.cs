using Xunit;
using Bot.Data;
using Bot.Data.Migrations;
using Npgsql;

namespace Bot.Testing.Postgres;

/// <summary>
/// A fresh, migrated database of its own on the shared test server. Use it as an xunit class
/// fixture (<c>IClassFixture&lt;PostgresDatabase&gt;</c>: one database per test class, so classes run
/// in parallel without seeing each other), or call <see cref="CreateAsync"/> for one per test.
/// Databases are copied from a template migrated once per process, so each costs a few ms.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime, IAsyncDisposable
{
    private static readonly SemaphoreSlim CreateLock = new(1, 1);
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly bool _migrated;
    private NpgsqlDataSource? _dataSource;
    private BotDatabase? _database;

    /// <summary>Used by xunit for class fixtures: a migrated database.</summary>
    public PostgresDatabase() : this(migrated: true) { }

    private PostgresDatabase(bool migrated) => _migrated = migrated;

    public string Name { get; private set; } = "";
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialized");
    public BotDatabase Database => _database ??= new BotDatabase(DataSource);

    /// <summary>A new database for one test; <paramref name="migrated"/> false gives an empty one (for migration tests).</summary>
    public static async Task<PostgresDatabase> CreateAsync(bool migrated = true)
    {
        var db = new PostgresDatabase(migrated);
        await db.InitializeAsync();
        return db;
    }

    public async Task InitializeAsync()
    {
        Name = $"bot_test_{Guid.NewGuid():N}";
        var template = _migrated ? await Template.Value : "template0";
        await using (var admin = NpgsqlDataSource.Create(await PostgresCluster.GetAdminConnectionStringAsync()))
            await CreateDatabaseAsync(admin, Name, template);
        ConnectionString = await PostgresCluster.ConnectionStringForAsync(Name);
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Row counts of every table: compare before/after to prove a failed command changed nothing.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var counts = new SortedDictionary<string, long>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }
        return counts;
    }

    /// <summary>Every row of every table as text: a stronger before/after comparison than counts.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var snapshot = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM \"{table}\" t", connection);
            snapshot.Append(table).Append(":\n").Append((string)(await rows.ExecuteScalarAsync())!).Append('\n');
        }
        return snapshot.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        else if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (Name.Length == 0) return;
        try
        {
            await using var admin = NpgsqlDataSource.Create(await PostgresCluster.GetAdminConnectionStringAsync());
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The throwaway cluster is deleted with the process anyway; a shared server keeps a stray database.
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static async Task<string> CreateTemplateAsync()
    {
        var name = $"bot_template_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var admin = NpgsqlDataSource.Create(await PostgresCluster.GetAdminConnectionStringAsync()))
            await CreateDatabaseAsync(admin, name, "template0");
        // No pooling: CREATE DATABASE ... TEMPLATE fails while any session is connected to the template.
        var cs = new NpgsqlConnectionStringBuilder(await PostgresCluster.ConnectionStringForAsync(name)) { Pooling = false }.ConnectionString;
        await using (var templateSource = NpgsqlDataSource.Create(cs))
            await new Migrator(templateSource).MigrateAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DropQuietly(name);
        return name;
    }

    private static async Task CreateDatabaseAsync(NpgsqlDataSource admin, string name, string template)
    {
        // Copies of one template cannot be made concurrently (the copy briefly connects to it).
        await CreateLock.WaitAsync();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var create = admin.CreateCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
                    await create.ExecuteNonQueryAsync();
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
                {
                    await Task.Delay(50 * (attempt + 1));
                }
            }
        }
        finally
        {
            CreateLock.Release();
        }
    }

    private static void DropQuietly(string name)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresCluster.EnvironmentVariable))) return;
        try
        {
            using var admin = NpgsqlDataSource.Create(PostgresCluster.GetAdminConnectionStringAsync().GetAwaiter().GetResult());
            using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            drop.ExecuteNonQuery();
        }
        catch (NpgsqlException) { }
    }
}
