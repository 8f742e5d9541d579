using Bot.Data.Migrations;
using Bot.Data.Postgres;
using Bot.Data.Reads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bot.Data;

/// <summary>
/// Owns the process's data sources, and the private PostgreSQL cluster when no connection string is
/// configured. Started once (by <see cref="DatabaseHostedService"/> or a CLI verb) before anything
/// touches the database; stores read <see cref="DataSource"/> per call. A connection kept for as long
/// as what it serves lasts (a session lock around a Discord request, the LISTEN for new work) comes
/// from <see cref="HeldDataSource"/>, a pool of its own, so however long those wait, the short
/// queries of the click path never queue behind them.
/// </summary>
public sealed class BotDatabase : IAsyncDisposable
{
    private readonly string? _connectionString;
    private readonly DatabaseOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private NpgsqlDataSource? _dataSource;
    private NpgsqlDataSource? _heldDataSource;
    private LocalPostgres? _local;

    // Every read of the process goes through a BotDatabase, so its type conversions are in place first.
    static BotDatabase() => DapperTypes.Register();

    public BotDatabase(IOptions<DatabaseOptions> options, string? connectionString, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _connectionString = string.IsNullOrWhiteSpace(connectionString) ? null : connectionString;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Wraps an already configured data source (tests, tools).</summary>
    public BotDatabase(NpgsqlDataSource dataSource)
    {
        _options = new DatabaseOptions();
        _loggerFactory = NullLoggerFactory.Instance;
        _dataSource = dataSource;
    }

    public NpgsqlDataSource DataSource =>
        _dataSource ?? throw new InvalidOperationException("The database has not been started; BotDatabase.StartAsync runs at host start-up.");

    /// <summary>Connections held for as long as what they serve lasts (the wrapped data source for tests and tools).</summary>
    public NpgsqlDataSource HeldDataSource => _heldDataSource ?? DataSource;

    public bool IsStarted => _dataSource is not null;

    /// <summary>Connects (starting the private cluster if needed) and applies migrations when configured to.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_dataSource is not null) return;
            var connectionString = _connectionString ?? await StartLocalAsync(cancellationToken);
            _dataSource = Build(connectionString);
            _heldDataSource = Build(connectionString);
            if (_options.MigrateOnStart)
                await new Migrator(_dataSource, _loggerFactory.CreateLogger<Migrator>()).MigrateAsync(cancellationToken);
        }
        finally
        {
            _startLock.Release();
        }
    }

    private NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        ApplyDefaults(builder.ConnectionStringBuilder, _options.MaxPoolSize);
        builder.UseLoggerFactory(_loggerFactory);
        return builder.Build();
    }

    /// <summary>
    /// Pool and statement settings the stores are written for, unless the connection string says otherwise:
    /// the command statements have fixed texts, so preparing them saves the server a parse and plan per call;
    /// no code leaves session state behind, so a returned connection needs no DISCARD ALL.
    /// </summary>
    public static void ApplyDefaults(NpgsqlConnectionStringBuilder builder, int maxPoolSize = DatabaseOptions.DefaultMaxPoolSize)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey is true for every known keyword; ask a plain builder what was written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        var keys = written.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!keys.Contains("MaximumPoolSize") && !keys.Contains("MaxPoolSize")) builder.MaxPoolSize = maxPoolSize;
        if (!keys.Contains("MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!keys.Contains("AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        if (!keys.Contains("NoResetOnClose")) builder.NoResetOnClose = true;
        // Nothing here uses ambient transactions (TransactionScope): without this, every open looks for one.
        if (!keys.Contains("Enlist")) builder.Enlist = false;
    }

    private async Task<string> StartLocalAsync(CancellationToken cancellationToken)
    {
        var logger = _loggerFactory.CreateLogger<LocalPostgres>();
        logger.LogInformation("ConnectionStrings:Postgres is empty; starting a private PostgreSQL cluster in {DataDirectory}", _options.DataDirectory);
        _local = await LocalPostgres.StartAsync(new LocalPostgresSettings(_options.DataDirectory, _options.BinDirectory), logger, cancellationToken);
        await using (var admin = NpgsqlDataSource.Create(_local.ConnectionString))
            await EnsureDatabaseAsync(admin, _options.DatabaseName, cancellationToken);
        return _local.ConnectionStringFor(_options.DatabaseName);
    }

    /// <summary>Creates the database if it does not exist yet (CREATE DATABASE cannot run in a transaction or take IF NOT EXISTS).</summary>
    public static async Task EnsureDatabaseAsync(NpgsqlDataSource admin, string name, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
            throw new ArgumentException($"Database name '{name}' must be lower-case letters, digits and underscores.", nameof(name));
        await using var connection = await admin.OpenConnectionAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return;
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it first.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (_heldDataSource is not null) await _heldDataSource.DisposeAsync();
        if (_local is not null) await _local.DisposeAsync();
        _startLock.Dispose();
    }
}
