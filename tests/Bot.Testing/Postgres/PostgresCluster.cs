using Bot.Data.Postgres;
using Npgsql;

namespace Bot.Testing.Postgres;

/// <summary>
/// One PostgreSQL server per test process: the one named by the BOT_TEST_POSTGRES connection string,
/// or a throwaway cluster started from the system's binaries in a temp folder (stopped and deleted
/// when the process exits).
/// </summary>
public static class PostgresCluster
{
    public const string EnvironmentVariable = "BOT_TEST_POSTGRES";
    private const string TempPrefix = "bot-test-pg-";
    private static readonly Lazy<Task<string>> Admin = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static LocalPostgres? _local;
    private static string? _tempRoot;

    /// <summary>Superuser connection string of the shared server.</summary>
    public static Task<string> GetAdminConnectionStringAsync() => Admin.Value;

    /// <summary>The same server, another database.</summary>
    public static async Task<string> ConnectionStringForAsync(string database) =>
        new NpgsqlConnectionStringBuilder(await Admin.Value) { Database = database }.ConnectionString;

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        CleanUpOrphans();
        _tempRoot = Path.Combine(Path.GetTempPath(), $"{TempPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(_tempRoot);
        // The postgres account (when we are root) must be able to walk into the folder.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_tempRoot, (UnixFileMode)0b111_101_101);
        _local = await LocalPostgres.StartAsync(new LocalPostgresSettings(Path.Combine(_tempRoot, "data"), Durable: false));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDelete();
        return _local.ConnectionString;
    }

    private static void StopAndDelete()
    {
        try { _local?.Stop(); } catch (InvalidOperationException) { }
        try { if (_tempRoot is not null) Directory.Delete(_tempRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Clusters left behind by test processes that were killed: stop them and delete their folders.</summary>
    private static void CleanUpOrphans()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), TempPrefix + "*"))
        {
            var name = Path.GetFileName(dir)[TempPrefix.Length..];
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || IsAlive(pid)) continue;
            try
            {
                var data = Path.Combine(dir, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")) && File.ReadAllLines(Path.Combine(data, "postmaster.pid")) is [var pmPid, ..]
                    && int.TryParse(pmPid, out var postmaster) && IsAlive(postmaster))
                {
                    System.Diagnostics.Process.GetProcessById(postmaster).Kill();
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
