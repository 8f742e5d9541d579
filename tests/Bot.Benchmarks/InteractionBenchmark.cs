using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bot.Data;
using Bot.Data.Postgres;
using Bot.Testing.FakeDiscord;
using Dapper;
using Npgsql;

namespace Bot.Benchmarks;

/// <summary>
/// Interaction acknowledgement latency and durable votes per second of the bot (its own process)
/// under open-loop vote clicks through the fake Discord, for several numbers of concurrent runs,
/// with a durable private PostgreSQL (fsync on).
/// </summary>
public static class InteractionBenchmark
{
    private const ulong ContractorRole = 1002;
    private const ulong ResearcherRole = 1001;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(Arg(args, "--seconds") ?? "25", CultureInfo.InvariantCulture);
        var rate = double.Parse(Arg(args, "--rate") ?? "200", CultureInfo.InvariantCulture);
        var contractors = int.Parse(Arg(args, "--contractors") ?? "200", CultureInfo.InvariantCulture);
        var runCounts = (Arg(args, "--runs") ?? "1,50,500").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        // The bot child runs in this project's process image, so it gets Bot.Host's runtime settings
        // (Bot.Host.csproj: workstation GC, no dynamic PGO, no ICU) by environment; --gc server to compare.
        var gc = Arg(args, "--gc") ?? "workstation";
        var validateSpec = args.Contains("--validate-spec");
        // Where PostgreSQL spends its time during the bot's load (pg_stat_statements, top statements).
        var pgStats = args.Contains("--pg-stats");
        // What busy backends wait on during the bot's load (pg_stat_activity sampled every 20 ms).
        var pgWaits = args.Contains("--pg-waits");
        // Which records make up the WAL the bot's commits wrote (pg_waldump --stats over the measured window).
        var walStats = args.Contains("--wal-stats");
        // The discord.js peer gets the same clicks after the bot, unless --no-peer (it needs node and npm).
        var withPeer = !args.Contains("--no-peer");
        var warmup = TimeSpan.FromSeconds(double.Parse(Arg(args, "--warmup") ?? "5", CultureInfo.InvariantCulture));
        // Extra bot configuration for experiments, e.g. --bot Discord:MaxConcurrentHandlers=64 (repeatable).
        var botSettings = Args(args, "--bot").Select(a => "--" + a).ToList();
        var botEnvironment = Args(args, "--env").Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).Select(p => (p[0], p[1])).ToList();

        var tempRoot = Path.Combine(Path.GetTempPath(), $"bot-bench-interactions-{Environment.ProcessId}");
        Directory.CreateDirectory(tempRoot);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tempRoot, (UnixFileMode)0b111_101_101);
        var results = new List<string>();
        try
        {
            await using var postgres = await LocalPostgres.StartAsync(new LocalPostgresSettings(Path.Combine(tempRoot, "data"), Durable: true,
                ExtraServerOptions: pgStats ? "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on" : null));
            await using var admin = NpgsqlDataSource.Create(postgres.ConnectionString);
            Console.WriteLine(Machine());
            await using (var c = await admin.OpenConnectionAsync())
            {
                Console.WriteLine("PostgreSQL " + await c.ExecuteScalarAsync<string>("SHOW server_version")
                    + ", fsync=" + await c.ExecuteScalarAsync<string>("SHOW fsync")
                    + ", synchronous_commit=" + await c.ExecuteScalarAsync<string>("SHOW synchronous_commit"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Offered load {rate} clicks/s for {seconds} s per configuration, {contractors} contractors, bot GC: {gc}, fake validates bodies against the spec: {validateSpec}, warm-up {warmup.TotalSeconds} s (not measured), extra bot settings: [{string.Join(' ', botSettings)}], bot environment: [{string.Join(' ', botEnvironment.Select(e => e.Item1 + "=" + e.Item2))}]"));
            foreach (var runs in runCounts)
            {
                results.AddRange(await ConfigurationAsync(postgres, admin, runs, rate, TimeSpan.FromSeconds(seconds), warmup, contractors, gc, validateSpec, botSettings, withPeer, pgStats, pgWaits, walStats, botEnvironment));
            }
            Console.WriteLine();
            Console.WriteLine("| process | runs | clicks offered (rate) | ack latency in the process: median / p99 / max | injection to answer stored at the fake: median / p99 / max | votes stored/s | 10062 / unanswered | preventable 429 | peak working set | peak managed heap | load avg |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var row in results) Console.WriteLine(row);
            return 0;
        }
        finally
        {
            try { Directory.Delete(tempRoot, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<List<string>> ConfigurationAsync(LocalPostgres postgres, NpgsqlDataSource admin, int runCount, double rate, TimeSpan duration, TimeSpan warmup,
        int contractors, string gc, bool validateSpec, List<string> botSettings, bool withPeer, bool pgStats, bool pgWaits, bool walStats, List<(string, string)> botEnvironment)
    {
        Console.WriteLine();
        Console.WriteLine($"== {runCount} concurrent run(s) ==");
        var database = $"bench_{runCount}";
        await BotDatabase.EnsureDatabaseAsync(admin, database);
        var connectionString = postgres.ConnectionStringFor(database);
        // Setup posts hundreds of threads: the fake's buckets are opened wide while it runs, and its
        // Discord defaults restored before the measured bot process (a fresh client) starts.
        var defaults = new FakeDiscordOptions();
        await using var fake = await FakeDiscordServer.StartAsync(o =>
        {
            o.BucketLimit = 100_000;
            o.GlobalLimitPerSecond = 100_000;
            // The fake shortens the heartbeat for tests; a loaded machine would then see false zombies. Discord's is 41.25 s.
            o.HelloInterval = TimeSpan.FromMilliseconds(41_250);
            // Schema evaluation of every body costs the fake more CPU than the bot spends per
            // click; on 2 cores it would be measured as the bot's latency (--validate-spec keeps it).
            o.ValidateAgainstSpec = validateSpec;
        });
        fake.ThrowOnDisposeIfViolations = false;
        var settings = Settings(fake, connectionString).Concat(botSettings).ToList();
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = gc == "server" ? "1" : "0",
            ["DOTNET_TieredPGO"] = "0",
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
            // Bot.Host's runtimeconfig picks the segments GC; the bot child runs under the benchmark's own.
            ["DOTNET_GCName"] = "libclrgc.so",
        };
        // Runtime knobs for experiments, e.g. --env DOTNET_GCgen0size=0x400000 (repeatable).
        foreach (var (name, value) in botEnvironment) environment[name] = value;

        var setupClock = Stopwatch.StartNew();
        var runs = new List<BenchRun>();
        await using (var setup = ChildProcess.Start(["setup", runCount.ToString(CultureInfo.InvariantCulture), .. settings,
            "--Discord:GlobalRequestsPerSecond=10000", "--WorkQueue:Enabled=false"], environment))
        {
            while (true)
            {
                var line = await setup.NextAsync(TimeSpan.FromMinutes(10));
                if (line.StartsWith("SETUP-DONE", StringComparison.Ordinal)) break;
                var p = line.Split(' ');
                runs.Add(new BenchRun(long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture),
                    ulong.Parse(p[3], CultureInfo.InvariantCulture), ulong.Parse(p[4], CultureInfo.InvariantCulture)));
            }
            await setup.WaitForExitAsync(TimeSpan.FromMinutes(1));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"setup: {runs.Count} runs with threads and step messages in {setupClock.Elapsed.TotalSeconds:F1} s"));
        fake.Options.BucketLimit = defaults.BucketLimit;
        fake.Options.GlobalLimitPerSecond = defaults.GlobalLimitPerSecond;

        await using var bot = ChildProcess.Start(["serve", .. settings], environment);
        var connectionsBefore = fake.Gateway.Connections.Count;
        if (await bot.NextAsync(TimeSpan.FromMinutes(2)) != "READY") throw new InvalidOperationException("The bot did not report READY.");
        await fake.WaitForAsync(() => fake.Gateway.Connections.Count > connectionsBefore && fake.Gateway.CurrentConnection == fake.Gateway.Connections[^1],
            TimeSpan.FromSeconds(30), "the measured bot's gateway connection");
        await using var data = NpgsqlDataSource.Create(connectionString);
        await WaitForIdleWorkAsync(data);
        var clickLoad = new ClickLoad(fake, runs, contractors, ContractorRole);
        if (warmup > TimeSpan.Zero)
        {
            // JIT, connection pools and caches fill in the first seconds; they are not the steady state.
            await clickLoad.RunAsync(rate, warmup, new Random(-runCount));
            await WaitForIdleWorkAsync(data);
            await bot.SendAsync("measure");
        }

        if (pgStats) await StatementStats.ResetAsync(data);
        var before = await CountsAsync(fake, data);
        var walBefore = await WalMarkAsync(data);
        var loadBefore = LoadAverage();
        var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var postgresCpu = ProcCpu.PostgresSeconds(postgres.DataDirectory);
        LoadResult load;
        await using (pgWaits ? new WaitSampler(data, "bot") : null)
            load = await clickLoad.RunAsync(rate, duration, new Random(runCount));
        var loadAfter = LoadAverage();
        driverCpu = Process.GetCurrentProcess().TotalProcessorTime - driverCpu;
        postgresCpu = ProcCpu.PostgresSeconds(postgres.DataDirectory) - postgresCpu;
        var after = await CountsAsync(fake, data);
        var wal = await WalMarkAsync(data) - walBefore;
        if (walStats) await PrintWalStatsAsync(postgres, walBefore.Lsn, walBefore.Lsn + wal.Lsn);
        if (pgStats) await StatementStats.PrintAsync(data, after.Votes - before.Votes);
        await bot.SendAsync("stop");
        var stats = JsonSerializer.Deserialize<ChildStats>((await bot.NextAsync(TimeSpan.FromMinutes(1)))["STATS ".Length..])!;
        await bot.WaitForExitAsync(TimeSpan.FromMinutes(1));

        var votes = after.Votes - before.Votes;
        var deadlines = after.Deadline - before.Deadline;
        var limited = after.Preventable429 - before.Preventable429;
        var mb = 1024.0 * 1024.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            clicks offered: {load.Offered} in {load.Seconds:F1} s ({load.Offered / load.Seconds:F0}/s); answered {load.Answered} (type 7 updates {load.Updates}, ephemeral {load.Ephemeral}); unanswered {load.Unanswered}; injection failures {load.InjectFailures}
            bot side, gateway receipt -> callback sent:     {stats.ReceiveToCallbackSent} (received without a callback: {stats.ReceivedWithoutCallback})
            bot side, gateway receipt -> callback answered: {stats.ReceiveToCallbackAnswered}
            fake side, injection -> answer stored:          {load.InjectToStored}
            votes stored (vote_history rows): {votes} = {votes / load.Seconds:F0}/s over the load window; render work left pending at the end: {after.PendingWork}; {wal.PerVote(votes)}
            10062 (answered after 3 s): {deadlines}; other violations: {after.Violations - before.Violations - deadlines}; preventable 429s: {limited}
            bot process ({stats.GcMode} GC): sampled peak working set {stats.SampledPeakWorkingSet / mb:F0} MB (process peak {stats.ProcessPeakWorkingSet / mb:F0} MB), peak managed {stats.SampledPeakManagedBytes / mb:F0} MB, peak GC heap {stats.SampledPeakGcHeapBytes / mb:F0} MB, GCs {stats.Gen0}/{stats.Gen1}/{stats.Gen2}, CPU {stats.CpuSeconds:F1} s over {stats.WallSeconds:F1} s
            CPU during the load: benchmark process (fake Discord + click generator) {driverCpu.TotalSeconds:F1} s, PostgreSQL {postgresCpu:F1} s; bot CPU per callback sent {1000 * stats.CpuSeconds / Math.Max(1, stats.ReceiveToCallbackSent.Count):F1} ms (render work included)
            load average before/after: {loadBefore} / {loadAfter}
            """));
        foreach (var v in fake.Violations.Skip(before.Violations).Take(5)) Console.WriteLine("  violation: " + v);
        var b = stats.ReceiveToCallbackSent;
        var f = load.InjectToStored;
        var rows = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"| bot | {runCount} | {load.Offered} ({load.Offered / load.Seconds:F0}/s) | {b.Median:F1} / {b.P99:F1} / {b.Max:F1} ms | {f.Median:F1} / {f.P99:F1} / {f.Max:F1} ms | {votes / load.Seconds:F0} | {deadlines} / {load.Unanswered} | {limited} | {stats.ProcessPeakWorkingSet / mb:F0} MB | {stats.SampledPeakManagedBytes / mb:F0} MB | {loadBefore} → {loadAfter} |"),
        };
        if (!withPeer) return rows;

        var peerLoadBefore = LoadAverage();
        var peer = await PeerBot.MeasureAsync(fake, connectionString, runs, contractors, ContractorRole, rate, duration, warmup, runCount, postgres.DataDirectory, pgWaits);
        var pb = Summary.Of(peer.Stats.Answered);
        var pf = peer.Load.InjectToStored;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            peer (discord.js): clicks offered {peer.Load.Offered}; answered {peer.Load.Answered}; unanswered {peer.Load.Unanswered}; 10062 {peer.Deadline}
            peer side, interaction received -> update acknowledged: {pb}
            fake side, injection -> answer stored:                   {pf}
            peer votes stored: {peer.VotesStored} = {peer.VotesStored / peer.Load.Seconds:F0}/s; {peer.Wal.PerVote(peer.VotesStored)}; peak RSS {peer.Stats.PeakRssBytes / mb:F0} MB; CPU {peer.Stats.CpuSeconds:F1} s; PostgreSQL CPU during the load {peer.PostgresCpuSeconds:F1} s (the bot's: {postgresCpu:F1} s)
            ratios bot / peer at the fake: median {f.Median / pf.Median:F2}, p99 {f.P99 / pf.P99:F2}; memory {stats.ProcessPeakWorkingSet / (double)peer.Stats.PeakRssBytes:F2}
            """));
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| discord.js peer | {runCount} | {peer.Load.Offered} ({peer.Load.Offered / peer.Load.Seconds:F0}/s) | {pb.Median:F1} / {pb.P99:F1} / {pb.Max:F1} ms | {pf.Median:F1} / {pf.P99:F1} / {pf.Max:F1} ms | {peer.VotesStored / peer.Load.Seconds:F0} | {peer.Deadline} / {peer.Load.Unanswered} | n/a | {peer.Stats.PeakRssBytes / mb:F0} MB (RSS) | n/a | {peerLoadBefore} → {LoadAverage()} |"));
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| bot ÷ peer | {runCount} | | | median {f.Median / pf.Median:F2}×, p99 {f.P99 / pf.P99:F2}× | {votes / load.Seconds / Math.Max(1, peer.VotesStored / peer.Load.Seconds):F2}× | | | {stats.ProcessPeakWorkingSet / (double)peer.Stats.PeakRssBytes:F2}× | | |"));
        return rows;
    }

    private static List<string> Settings(FakeDiscordServer fake, string connectionString) =>
    [
        $"--ConnectionStrings:Postgres={connectionString}",
        $"--Discord:Token={fake.Token}",
        $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:GatewayUrl={fake.GatewayUrl}",
        $"--Discord:ApplicationId={fake.ApplicationId}",
        "--Discord:Intents=33281",
        $"--Discord:GuildId={fake.GuildId}",
        $"--Discord:RunsChannelId={fake.DefaultChannelId}",
        $"--Discord:TeamChannelId={fake.Store.Channels.Last(c => c.ParentId is null).Id}",
        $"--Discord:ResearcherRoleIds:0={ResearcherRole}",
        $"--Discord:ContractorRoleIds:0={ContractorRole}",
        // Production logs at Information; the console is this benchmark's channel to the bot, so only warnings.
        "--Logging:LogLevel:Default=Warning",
    ];

    private sealed record Counts(long Votes, long PendingWork, int Preventable429, int Deadline, int Violations);

    private static async Task<Counts> CountsAsync(FakeDiscordServer fake, NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        var votes = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM vote_history");
        var pending = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM work_items WHERE status IN ('pending', 'running')");
        var violations = fake.Violations;
        return new Counts(votes, pending, fake.RateLimits.PreventableRateLimits,
            violations.Count(v => v.ToString().Contains("10062", StringComparison.Ordinal)), violations.Count);
    }

    private static async Task WaitForIdleWorkAsync(NpgsqlDataSource data)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            await using var c = await data.OpenConnectionAsync();
            if (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM work_items WHERE status IN ('pending', 'running')") == 0) return;
            await Task.Delay(200);
        }
        Console.WriteLine("warning: work items still pending before the load started");
    }

    private static async Task PrintWalStatsAsync(LocalPostgres postgres, long from, long to)
    {
        static string Lsn(long at) => $"{at >> 32:X}/{at & 0xFFFFFFFF:X}";
        var waldump = Directory.GetFiles("/usr/lib/postgresql", "pg_waldump", SearchOption.AllDirectories).FirstOrDefault() ?? "pg_waldump";
        var info = new ProcessStartInfo(waldump) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--stats=record", "-p", Path.Combine(postgres.DataDirectory, "pg_wal"), "-s", Lsn(from), "-e", Lsn(to) }) info.ArgumentList.Add(a);
        using var dump = Process.Start(info)!;
        var output = await dump.StandardOutput.ReadToEndAsync() + await dump.StandardError.ReadToEndAsync();
        await dump.WaitForExitAsync();
        Console.WriteLine("WAL over the measured window by record type (pg_waldump --stats=record), largest first:");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = lines.Skip(3).Where(l => ParseTotal(l) > 0 && !l.StartsWith("Total", StringComparison.Ordinal));
        foreach (var line in lines.Take(4).Concat(rows.OrderByDescending(ParseTotal).Take(16))) Console.WriteLine("  " + line);
    }

    // The "combined size" column of a pg_waldump stats row: the last number before the last "( nn.nn)".
    private static long ParseTotal(string line) =>
        System.Text.RegularExpressions.Regex.Match(line, @"(\d+) \(\s*[\d.]+\)\s*$") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// The WAL's position (bytes: what the commits in between wrote and had to flush), how often it was flushed (pg_stat_wal.wal_sync) and how many transactions
    /// committed in the cluster. Backends publish their counters at most once a second, so the
    /// counts over a window are good to about a second's worth.
    /// </summary>
    public sealed record WalMark(long Lsn, long Syncs, long Commits)
    {
        public static WalMark operator -(WalMark a, WalMark b) => new(a.Lsn - b.Lsn, a.Syncs - b.Syncs, a.Commits - b.Commits);

        public string PerVote(long votes) => string.Create(CultureInfo.InvariantCulture,
            $"WAL written {Lsn / (double)Math.Max(1, votes):F0} bytes, flushed {Syncs / (double)Math.Max(1, votes):F2} times per vote, {Commits / (double)Math.Max(1, votes):F2} transactions (reads included)");
    }

    internal static async Task<WalMark> WalMarkAsync(NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        return await c.QuerySingleAsync<WalMark>("""
            SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn, (SELECT wal_sync FROM pg_stat_wal) AS syncs,
                   (SELECT sum(xact_commit)::bigint FROM pg_stat_database) AS commits
            """);
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    internal static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) : null;
        return $"machine: {Environment.ProcessorCount} CPUs ({cpu ?? "unknown"}), {memory ?? "memory unknown"}, .NET {Environment.Version}, load average {LoadAverage()}";
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The values of a repeatable option (<c>--bot A --bot B</c>).</summary>
    private static IEnumerable<string> Args(string[] args, string name) =>
        args.SkipLast(1).Select((a, i) => (a, i)).Where(x => x.a == name).Select(x => args[x.i + 1]);
}
