using System.ComponentModel.DataAnnotations;

namespace Bot.Data;

/// <summary>
/// Where the data lives. When <c>ConnectionStrings:Postgres</c> is empty the bot starts a private
/// PostgreSQL cluster from the system's binaries in <see cref="DataDirectory"/>.
/// </summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string ConnectionStringName = "Postgres";

    /// <summary>Folder of the private cluster (relative paths are resolved against the working directory).</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data/postgres";

    /// <summary>Folder of initdb/pg_ctl; empty = search PATH and /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Database created and used inside the private cluster.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string DatabaseName { get; set; } = "bot";

    /// <summary>Apply pending migrations when the host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// Connections per pool (the process has two: short queries, and connections held for as long as
    /// what they serve lasts; see <see cref="BotDatabase"/>). Small on purpose: the click path's
    /// queries take about a millisecond, and at 500 clicks/s a 50-connection pool let bursts run
    /// dozens of server processes side by side on two cores, where 16 queued them for a connection
    /// instead (lower median and p99 in three pairs, 1-5 MB less memory; docs/benchmarks.md, session 6).
    /// </summary>
    [Range(1, 500)]
    public int MaxPoolSize { get; set; } = DefaultMaxPoolSize;

    public const int DefaultMaxPoolSize = 16;

    /// <summary>
    /// Group-commit loops, each committing the commands of its own share of the runs (see
    /// <c>CommandBatcher</c>): more of them shorten the wait behind a batch in flight, at the cost of
    /// more transactions committing side by side.
    /// </summary>
    [Range(1, 32)]
    public int Committers { get; set; } = Stores.CommandBatcher.DefaultCommitters;
}
