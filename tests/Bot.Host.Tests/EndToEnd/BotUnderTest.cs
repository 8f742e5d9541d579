using Bot.Testing.Repository;
using System.Diagnostics;
using System.Globalization;
using Bot.Testing.FakeDiscord;
using Bot.Testing.FakeLlm;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Hosting;

namespace Bot.Host.Tests.EndToEnd;

/// <summary>
/// The whole bot as an operator runs it: configuration given as command-line arguments to the
/// production composition (<see cref="BotHostBuilder"/>), against the fake Discord, the fake model
/// server and a fresh PostgreSQL database. The bot runs either in this process or as a child
/// process (<c>dotnet Bot.Host.dll run ...</c>) that can be killed outright; either way it can be
/// stopped and started again on the same database and the same fake Discord.
/// </summary>
public sealed class BotUnderTest : IAsyncDisposable
{
    public const string Profile = "test";
    public const ulong ResearcherRole = 1001;
    public const ulong ContractorRole = 1002;
    public static readonly ulong[] Researcher = [ResearcherRole];
    public static readonly ulong[] Contractor = [ContractorRole];
    public static readonly FakeUser Dave = new(720_000_000_000_000_004, "dave");
    public static readonly FakeUser Eve = new(720_000_000_000_000_005, "eve");

    private readonly bool _childProcess;
    private IHost? _host;
    private Process? _process;
    private FakeGatewayConnection? _lastConnection;

    private readonly IReadOnlyDictionary<string, string> _extra;

    // A peer shares the first bot's Discord, model server and database, and leaves them to it.
    private readonly bool _peer;

    private BotUnderTest(bool childProcess, FakeDiscordServer discord, FakeLlmServer llm, PostgresDatabase database, string root, ulong teamChannelId,
        IReadOnlyDictionary<string, string>? extra = null, bool peer = false)
    {
        _peer = peer;
        _extra = extra ?? new Dictionary<string, string>();
        _childProcess = childProcess;
        Discord = discord;
        Llm = llm;
        Database = database;
        Root = root;
        TeamChannelId = teamChannelId;
    }

    public FakeDiscordServer Discord { get; }
    public FakeLlmServer Llm { get; }
    public PostgresDatabase Database { get; }
    public string Root { get; }
    public ulong RunsChannelId => Discord.DefaultChannelId;
    public ulong TeamChannelId { get; }
    public int Starts { get; private set; }

    /// <summary>Where a child process writes its console output (for diagnosing a failed test).</summary>
    public string LogPath => Path.Combine(Root, "bot.log");

    /// <summary>The in-process bot's services (not available for a child process).</summary>
    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("Only an in-process bot exposes its services.");

    /// <param name="settings">Extra or overriding configuration (e.g. <c>WorkQueue:MaxAttempts</c>).</param>
    public static async Task<BotUnderTest> CreateAsync(bool childProcess = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        // Heartbeats every 5 s rather than the fake's 300 ms default: a busy 2-core machine must not
        // make the bot see a zombie connection (Discord's own interval is about 41 s).
        var discord = await FakeDiscordServer.StartAsync(o => o.HelloInterval = TimeSpan.FromSeconds(5));
        var llm = await FakeLlmServer.StartAsync();
        var database = await PostgresDatabase.CreateAsync();
        var root = Directory.CreateTempSubdirectory("bot-e2e-").FullName;
        // Commands run as an unprivileged uid (the tests run as root), which must be able to reach the workspaces.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var team = discord.CreateChannel("team");
        return new BotUnderTest(childProcess, discord, llm, database, root, team.Id, settings);
    }

    /// <summary>
    /// A second bot process beside <paramref name="first"/> (both child processes): the same fake
    /// Discord, model server and database, its own workspace folder, the first's snapshot folder.
    /// </summary>
    public static BotUnderTest CreatePeer(BotUnderTest first, IReadOnlyDictionary<string, string>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("bot-e2e-peer-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var extra = new Dictionary<string, string>(first._extra);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) extra[key] = value;
        extra["Scaffold:Sandbox:SnapshotRoot"] = Path.Combine(first.Root, "snapshots");
        return new BotUnderTest(childProcess: true, first.Discord, first.Llm, first.Database, root, first.TeamChannelId, extra, peer: true);
    }

    /// <summary>The running child process's id (it names the process in work and shard leases).</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The bot's whole configuration, as an operator would pass it on the command line.</summary>
    public IReadOnlyList<string> Arguments()
    {
        static string U(ulong v) => v.ToString(CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string>
        {
            ["Discord:Token"] = Discord.Token,
            ["Discord:ApiBaseUrl"] = Discord.ApiBaseUrl,
            ["Discord:GatewayUrl"] = Discord.GatewayUrl,
            ["Discord:ApplicationId"] = U(Discord.ApplicationId),
            ["Discord:GuildId"] = U(Discord.GuildId),
            ["Discord:RunsChannelId"] = U(RunsChannelId),
            ["Discord:TeamChannelId"] = U(TeamChannelId),
            ["Discord:ResearcherRoleIds:0"] = U(ResearcherRole),
            ["Discord:ContractorRoleIds:0"] = U(ContractorRole),
            ["Discord:Intents"] = "33281",
            ["Discord:RetryBaseDelay"] = "00:00:00.050",
            ["Discord:ReconnectBaseDelay"] = "00:00:00.050",
            ["Discord:ReconnectMaxDelay"] = "00:00:00.500",
            ["Discord:IdentifyMinInterval"] = "00:00:00.100",
            // Named per process, so a test can tell that a standby process is up.
            ["ConnectionStrings:Postgres"] = $"{Database.ConnectionString};Application Name={ApplicationNameOf(Starts + 1)}",
            ["WorkQueue:PollInterval"] = "00:00:00.100",
            ["WorkQueue:BaseRetryDelay"] = "00:00:00.100",
            // After a kill, the dead process's items are taken back when their lease expires.
            ["WorkQueue:LeaseDuration"] = "00:00:03",
            ["Scaffold:DefaultModel"] = Profile,
            ["Scaffold:PromptsDirectory"] = RepoPath("prompts"),
            ["Scaffold:TasksDirectory"] = RepoPath("tasks"),
            ["Scaffold:Retry:BaseDelayMilliseconds"] = "10",
            ["Scaffold:Sandbox:WorkspaceRoot"] = Path.Combine(Root, "workspaces"),
            ["Scaffold:Sandbox:SnapshotRoot"] = Path.Combine(Root, "snapshots"),
            ["Scaffold:Sandbox:TimeLimitSeconds"] = "20",
            [$"Models:{Profile}:Endpoint"] = Llm.Endpoint.ToString(),
            [$"Models:{Profile}:ModelId"] = "fake-model-1",
            [$"Models:{Profile}:ApiKey"] = "sk-test-not-a-secret",
            ["Logging:LogLevel:Default"] = "Warning",
            // Several bots run at once in the tests: each web view on a free port, its key in the bot's own folder.
            ["Web:Port"] = "0",
            ["Web:SigningKeyFile"] = Path.Combine(Root, "web-signing.key"),
        };
        foreach (var (key, value) in _extra) settings[key] = value;
        return settings.Select(kv => $"--{kv.Key}={kv.Value}").ToList();
    }

    /// <summary>
    /// Starts the bot (again) and waits until it has a fresh gateway session, or, for a process that
    /// is to stand by (another holds the gateway shard), until it is connected to the database.
    /// </summary>
    public async Task StartAsync(bool expectGateway = true)
    {
        if (_host is not null || _process is not null) throw new InvalidOperationException("The bot is already running.");
        var previous = _lastConnection;
        if (_childProcess)
        {
            StartChild();
        }
        else
        {
            var host = BotHostBuilder.Build([.. Arguments()], includeBot: true);
            await BotHostBuilder.MigrateAsync(host);
            await host.StartAsync();
            _host = host;
        }
        Starts++;
        if (!expectGateway)
        {
            await WaitForValueAsync<long?>("SELECT NULLIF(count(*), 0) FROM pg_stat_activity WHERE application_name = @name",
                new { name = ApplicationNameOf(Starts) }, $"the bot (start {Starts}) to connect to the database");
            return;
        }
        await Discord.WaitForAsync(() => Discord.Gateway.CurrentConnection is { } c && !ReferenceEquals(c, previous),
            TimeSpan.FromSeconds(60), $"the bot (start {Starts}) to connect to the gateway; log: {Tail()}");
        _lastConnection = Discord.Gateway.CurrentConnection;
    }

    /// <summary>
    /// Stops the bot without letting in-flight work finish: a child process is killed with its
    /// whole tree (sandboxed commands included); an in-process host is stopped with an already
    /// cancelled token and disposed.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
        if (_host is { } host)
        {
            try
            {
                await host.StopAsync(new CancellationToken(canceled: true));
            }
            catch (OperationCanceledException)
            {
                // Expected: nothing was allowed to finish.
            }
            host.Dispose();
            _host = null;
        }
    }

    private void StartChild()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Bot.Host.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("run");
        foreach (var argument in Arguments()) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var gate = new object();
        void Write(string? line)
        {
            if (line is null) return;
            lock (gate) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) => { lock (gate) log.Flush(); };
        if (!process.Start()) throw new InvalidOperationException("Could not start the bot process.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private string Tail()
    {
        if (!_childProcess || !File.Exists(LogPath)) return "(in process)";
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return text.Length <= 4000 ? text : text[^4000..];
    }

    // Arguments are built before a start is counted, the wait for it after.
    private string ApplicationNameOf(int start) => $"bot-{Path.GetFileName(Root)}-{start}";

    public async Task<T?> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, args);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>Polls the database (bounded, only to avoid hanging) until <paramref name="sql"/> returns a non-null value.</summary>
    public async Task<T> WaitForValueAsync<T>(string sql, object? args, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await ScalarAsync<T>(sql, args);
            if (value is not null) return value;
            if (DateTime.UtcNow > deadline)
            {
                var runs = await QueryAsync<string>("SELECT id || ' ' || status || ' step ' || coalesce(current_step, 0) FROM runs ORDER BY id");
                var dead = await QueryAsync<string>("SELECT kind || ' ' || status || ' x' || attempts || ': ' || coalesce(last_error, '') FROM work_items WHERE status <> 'done' ORDER BY id");
                throw new TimeoutException($"Timed out waiting for {what}. Runs: [{string.Join("; ", runs)}]; unfinished work: [{string.Join("; ", dead)}]; log: {Tail()}");
            }
            await Task.Delay(100);
        }
    }

    public static string RepoPath(string relative) => RepoPaths.Of(relative);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (_peer)
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return;
        }
        // Violations are asserted by the tests themselves; a failed test should report its own failure.
        Discord.ThrowOnDisposeIfViolations = false;
        await Discord.DisposeAsync();
        await Llm.DisposeAsync();
        await Database.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
