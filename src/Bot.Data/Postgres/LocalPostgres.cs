using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bot.Data.Postgres;

/// <summary>How to run a private PostgreSQL cluster.</summary>
/// <param name="DataDirectory">Cluster folder; initialized on first use and reused afterwards.</param>
/// <param name="BinDirectory">Folder of initdb/pg_ctl; null = search PATH and /usr/lib/postgresql/*/bin.</param>
/// <param name="Durable">False turns off fsync for throwaway test clusters (a crash of the machine loses data).</param>
/// <param name="ExtraServerOptions">More <c>-c name=value</c> server options (benchmarks: <c>shared_preload_libraries=pg_stat_statements</c>).</param>
public sealed record LocalPostgresSettings(string DataDirectory, string? BinDirectory = null, bool Durable = true, string? ExtraServerOptions = null);

/// <summary>
/// A private PostgreSQL cluster started from the system's binaries, listening on 127.0.0.1 only
/// (no Unix socket) on a free port. Every connection needs the superuser's password (SCRAM): the
/// port is open to every local account, so trust authentication would hand the database to all of
/// them. The generated password lives beside the data folder, readable by its owner only
/// (<see cref="PasswordFile"/>). Stopped on dispose.
/// </summary>
public sealed partial class LocalPostgres : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private readonly string _binDirectory;
    private readonly ILogger _logger;
    private int _stopped;

    public string DataDirectory { get; }
    public int Port { get; }

    /// <summary>Where the superuser's password is kept: beside the data folder, mode 0600.</summary>
    public string PasswordFile => PasswordFileFor(DataDirectory);

    private readonly string _password;
    private readonly string _serverOptions;

    /// <summary>Connection string for the superuser's <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    private readonly bool _asRoot;

    private LocalPostgres(string binDirectory, string dataDirectory, int port, bool asRoot, string password, string serverOptions, ILogger logger)
    {
        _password = password;
        _serverOptions = serverOptions;
        _binDirectory = binDirectory;
        _asRoot = asRoot;
        DataDirectory = dataDirectory;
        Port = port;
        _logger = logger;
    }

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SuperUser};Password={_password};Database={database}";

    /// <summary>The password file of the cluster in <paramref name="dataDirectory"/>.</summary>
    public static string PasswordFileFor(string dataDirectory) => Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar) + ".password";

    /// <summary>Initializes the data folder if it is new, then starts the server (or adopts one already running there).</summary>
    public static async Task<LocalPostgres> StartAsync(LocalPostgresSettings settings, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var bin = PostgresBinaries.FindOrThrow(settings.BinDirectory);
        var dataDir = Path.GetFullPath(settings.DataDirectory);
        var asRoot = IsRoot();

        Directory.CreateDirectory(dataDir);
        if (asRoot)
        {
            // initdb refuses to run as root; the cluster belongs to the postgres account instead.
            await RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", dataDir], null, cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var passwordFile = PasswordFileFor(dataDir);
        string? password = null;
        if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            logger.LogInformation("Initializing PostgreSQL cluster in {DataDirectory}", dataDir);
            password = NewPassword();
            await InitDbAsync(bin, dataDir, password, settings.Durable, asRoot, cancellationToken);
            WriteSecret(passwordFile, password);
        }
        else if (File.Exists(passwordFile))
        {
            password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        }
        // password == null: a cluster made by an older version with trust authentication; migrated below once it runs.

        var running = ReadRunningPort(dataDir);
        if (running is int existingPort && await IsListeningAsync(existingPort, cancellationToken))
        {
            logger.LogInformation("Adopting PostgreSQL already running on 127.0.0.1:{Port} for {DataDirectory}", existingPort, dataDir);
            password = await SecureAsync(bin, dataDir, existingPort, password, asRoot, logger, cancellationToken);
            return new LocalPostgres(bin, dataDir, existingPort, asRoot, password, ReadServerOptions(dataDir), logger);
        }

        // The free port can be taken between probing and binding; try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200";
            if (!settings.Durable) serverOptions += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            if (!string.IsNullOrWhiteSpace(settings.ExtraServerOptions)) serverOptions += " " + settings.ExtraServerOptions;
            try
            {
                await StartServerAsync(bin, dataDir, serverOptions, asRoot, cancellationToken);
                logger.LogInformation("Started PostgreSQL on 127.0.0.1:{Port} with data in {DataDirectory}", port, dataDir);
                password = await SecureAsync(bin, dataDir, port, password, asRoot, logger, cancellationToken);
                return new LocalPostgres(bin, dataDir, port, asRoot, password, serverOptions, logger);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                logger.LogWarning("PostgreSQL did not start on port {Port}: {Error}", port, ex.Message);
            }
        }
        throw new InvalidOperationException($"Could not start PostgreSQL in {dataDir}; see {Path.Combine(dataDir, "server.log")}", last);
    }

    /// <summary>Stops the server (fast shutdown: open sessions are rolled back).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await RunToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], _asRoot, DataDirectory, cancellationToken);
        _logger.LogInformation("Stopped PostgreSQL on 127.0.0.1:{Port}", Port);
    }

    /// <summary>
    /// Stops the server and starts it again on the same port after <paramref name="downtime"/>
    /// (fast shutdown: open sessions are cut off, as in a real restart). For fault tests.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        if (_serverOptions.Length == 0)
        {
            // Adopted from another process: pg_ctl knows the options it was started with.
            await RunToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"], _asRoot, DataDirectory, cancellationToken);
            return;
        }
        await RunToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], _asRoot, DataDirectory, cancellationToken);
        _logger.LogInformation("Stopped PostgreSQL on 127.0.0.1:{Port} for a restart", Port);
        if (downtime > TimeSpan.Zero) await Task.Delay(downtime, cancellationToken);
        await StartServerAsync(_binDirectory, DataDirectory, _serverOptions, _asRoot, cancellationToken);
        _logger.LogInformation("Restarted PostgreSQL on 127.0.0.1:{Port}", Port);
    }

    /// <summary>Synchronous stop for process-exit handlers, where nothing can be awaited.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        var psi = ToolStartInfo(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], _asRoot, DataDirectory);
        using var process = Process.Start(psi);
        process?.WaitForExit(30_000);
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (InvalidOperationException ex) { _logger.LogWarning(ex, "Stopping PostgreSQL failed"); }
    }

    private static int? ReadRunningPort(string dataDir)
    {
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        try
        {
            // Line 4 of postmaster.pid is the port.
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3].Trim(), CultureInfo.InvariantCulture, out var port) ? port : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (SocketException) { return false; }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { return false; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsRoot()
    {
        try { return File.ReadAllText("/proc/self/status").Split('\n').Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0"); }
        catch (IOException) { return false; }
    }

    private static ProcessStartInfo ToolStartInfo(string bin, string tool, IReadOnlyList<string> args, bool asRoot, string dataDir)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A folder the postgres account can enter, so the tools do not complain about the cwd.
            WorkingDirectory = dataDir,
        };
        if (asRoot)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", SuperUser, "--", Path.Combine(bin, tool) }) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = Path.Combine(bin, tool);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static Task RunToolAsync(string bin, string tool, IReadOnlyList<string> args, bool asRoot, string dataDir, CancellationToken cancellationToken) =>
        RunAsync(ToolStartInfo(bin, tool, args, asRoot, dataDir), cancellationToken);

    private static Task RunAsync(string file, IReadOnlyList<string> args, string? workingDirectory, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        return RunAsync(psi, cancellationToken);
    }

    private static async Task RunAsync(ProcessStartInfo psi, CancellationToken cancellationToken)
    {
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}: {output.Trim()}");
    }
}
