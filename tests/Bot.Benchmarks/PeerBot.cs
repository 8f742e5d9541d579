using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bot.Testing.FakeDiscord;
using Dapper;
using Npgsql;

namespace Bot.Benchmarks;

/// <summary>What the peer measured: per answered click, gateway receipt to answer acknowledged, and its resources.</summary>
public sealed record PeerStats(
    [property: JsonPropertyName("answered")] List<double> Answered,
    [property: JsonPropertyName("withoutAnswer")] int WithoutAnswer,
    [property: JsonPropertyName("peakRssBytes")] long PeakRssBytes,
    [property: JsonPropertyName("cpuSeconds")] double CpuSeconds);

/// <summary>
/// The discord.js peer (<c>peer/peer.js</c>): the same clicks, through the same fake Discord,
/// against the same PostgreSQL server, so the bot's figures are read as ratios of the peer's in one run.
/// </summary>
public static class PeerBot
{
    public sealed record Result(LoadResult Load, PeerStats Stats, long VotesStored, int Deadline, InteractionBenchmark.WalMark Wal, double PostgresCpuSeconds);

    /// <summary>The peer's folder in the source tree (node_modules are installed there on first use).</summary>
    public static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "peer", "peer.js");
            if (File.Exists(candidate)) return Path.GetDirectoryName(candidate)!;
        }
        throw new FileNotFoundException("tests/Bot.Benchmarks/peer/peer.js was not found above " + AppContext.BaseDirectory);
    }

    public static async Task EnsureInstalledAsync(string folder)
    {
        if (Directory.Exists(Path.Combine(folder, "node_modules", "discord.js"))) return;
        Console.WriteLine("installing the peer's packages (npm ci) ...");
        using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = folder })
            ?? throw new InvalidOperationException("npm could not be started.");
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci failed with exit code {npm.ExitCode} in {folder}.");
    }

    public static async Task<Result> MeasureAsync(FakeDiscordServer fake, string connectionString, IReadOnlyList<BenchRun> runs, int contractors, ulong contractorRole,
        double rate, TimeSpan duration, TimeSpan warmup, int seed, string postgresDataDirectory, bool sampleWaits)
    {
        var folder = Folder();
        await EnsureInstalledAsync(folder);
        var environment = new Dictionary<string, string>
        {
            ["PEER_POSTGRES"] = ToUri(connectionString),
            ["PEER_TOKEN"] = fake.Token,
            ["PEER_API_BASE"] = fake.BaseUrl + "/api",
            ["PEER_CONTRACTOR_ROLE"] = contractorRole.ToString(CultureInfo.InvariantCulture),
        };
        await using var peer = ChildProcess.StartNode(Path.Combine(folder, "peer.js"), environment);
        var connectionsBefore = fake.Gateway.Connections.Count;
        if (await peer.NextAsync(TimeSpan.FromMinutes(1)) != "READY") throw new InvalidOperationException("The peer did not report READY.");
        await fake.WaitForAsync(() => fake.Gateway.Connections.Count > connectionsBefore && fake.Gateway.CurrentConnection == fake.Gateway.Connections[^1],
            TimeSpan.FromSeconds(30), "the peer's gateway connection");

        var clicks = new ClickLoad(fake, runs, contractors, contractorRole);
        if (warmup > TimeSpan.Zero)
        {
            await clicks.RunAsync(rate, warmup, new Random(-seed));
            await peer.SendAsync("measure");
        }
        await using var data = NpgsqlDataSource.Create(connectionString);
        var before = await VotesAsync(data);
        var walBefore = await InteractionBenchmark.WalMarkAsync(data);
        var deadlineBefore = Deadlines(fake);
        var postgresCpu = ProcCpu.PostgresSeconds(postgresDataDirectory);
        LoadResult load;
        await using (sampleWaits ? new WaitSampler(data, "peer") : null)
            load = await clicks.RunAsync(rate, duration, new Random(seed));
        postgresCpu = ProcCpu.PostgresSeconds(postgresDataDirectory) - postgresCpu;
        var wal = await InteractionBenchmark.WalMarkAsync(data) - walBefore;
        var votes = await VotesAsync(data) - before;
        await peer.SendAsync("stop");
        var stats = JsonSerializer.Deserialize<PeerStats>((await peer.NextAsync(TimeSpan.FromMinutes(1)))["STATS ".Length..])!;
        await peer.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return new Result(load, stats, votes, Deadlines(fake) - deadlineBefore, wal, postgresCpu);
    }

    private static async Task<long> VotesAsync(NpgsqlDataSource data)
    {
        await using var c = await data.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("SELECT CASE WHEN to_regclass('peer_vote_history') IS NULL THEN 0 ELSE (SELECT count(*) FROM peer_vote_history) END");
    }

    private static int Deadlines(FakeDiscordServer fake) => fake.Violations.Count(v => v.ToString().Contains("10062", StringComparison.Ordinal));

    // node-postgres takes a URI; the private cluster's connection string is key=value.
    private static string ToUri(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var password = b.Password is { } p ? ":" + Uri.EscapeDataString(p) : "";
        return $"postgresql://{Uri.EscapeDataString(b.Username ?? "postgres")}{password}@{b.Host}:{b.Port}/{Uri.EscapeDataString(b.Database ?? "postgres")}";
    }
}
