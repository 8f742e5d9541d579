namespace Bot.Data.Postgres;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl) installed on this machine.</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
        "Install them (Debian/Ubuntu: `apt-get install postgresql`), set Database:BinDirectory to their folder, " +
        "or point the bot at an existing server with ConnectionStrings:Postgres " +
        "(environment variable ConnectionStrings__Postgres=\"Host=...;Username=...;Password=...;Database=...\").";

    /// <summary>The folder holding initdb and pg_ctl, or null when none is installed.</summary>
    public static string? Find(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return HasTools(configured) ? Path.GetFullPath(configured) : null;

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!HasTools(dir)) continue;
            // Debian links initdb into PATH; the real folder also holds `postgres`, which pg_ctl needs beside it.
            var initdb = new FileInfo(Path.Combine(dir, "initdb"));
            var target = initdb.ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? Path.GetFullPath(dir) : Path.GetDirectoryName(target.FullName);
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot)) return null;
        return Directory.GetDirectories(debianRoot)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => HasTools(d.Dir))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    /// <summary>Like <see cref="Find"/>, but an absent installation is an error that says how to fix it.</summary>
    public static string FindOrThrow(string? configured = null) =>
        Find(configured) ?? throw new PostgresNotFoundException(InstallHint);

    private static bool HasTools(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
}

/// <summary>No PostgreSQL server programs on this machine and no connection string configured.</summary>
public sealed class PostgresNotFoundException(string message) : Exception(message);
