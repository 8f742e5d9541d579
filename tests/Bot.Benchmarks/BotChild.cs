using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data;
using Bot.Data.Stores;
using Bot.Discord;
using Bot.Discord.Bot.Presenting;
using Bot.Discord.Gateway;
using Bot.Host;
using Bot.Host.Cli;
using Bot.Scaffold;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StartRunRequest = Bot.Core.Ports.StartRunRequest;

namespace Bot.Benchmarks;

/// <summary>
/// The bot under measurement, in its own process: composed exactly as <c>BotHostBuilder.Build</c>
/// does (AddBotData + AddBotScaffold + AddBotAgentLoop + AddBotApplication), plus two probes that only
/// take timestamps (gateway socket receipt, interaction callback send).
/// <para><c>setup N</c>: creates N runs (data layer + presenter), prints them, exits.
/// <c>serve</c>: answers interactions until "stop" arrives on stdin, then prints its figures.</para>
/// </summary>
public static class BotChild
{
    public const string Prefix = "BENCH ";

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args[0];
        var settings = args.Skip(mode == "setup" ? 2 : 1).ToArray();
        var clock = new InteractionClock();
        using var host = Build(settings, clock);
        await host.StartAsync();
        await WaitForGatewayAsync(host.Services.GetRequiredService<DiscordGatewayClient>());
        try
        {
            if (mode == "setup")
            {
                await SetupAsync(host.Services, int.Parse(args[1], CultureInfo.InvariantCulture));
                return 0;
            }
            return await ServeAsync(clock);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static IHost Build(string[] args, InteractionClock clock)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = BotConfiguration.FindContentRoot(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddBotData(configuration);
        services.AddBotScaffold(configuration);
        services.AddBotAgentLoop();
        services.AddBotApplication(configuration);

        // Probes: they take timestamps and pass everything through unchanged.
        services.AddSingleton(clock);
        services.RemoveAll<IGatewaySocketFactory>();
        services.AddSingleton<IGatewaySocketFactory>(new TimingSocketFactory(clock));
        services.AddHttpClient(DiscordServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new CallbackTimingHandler(clock));
        return builder.Build();
    }

    private static async Task WaitForGatewayAsync(DiscordGatewayClient gateway)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (gateway.SessionId is null || gateway.Status != GatewayStatus.Connected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The gateway did not connect (status {gateway.Status}).");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Runs at step 1 with three model candidates and a quorum out of reach, so every click is a
    /// vote change on an open step. Their threads, task cards and step messages are posted by the
    /// presenter; the model work the engine asked for is marked done (the model is not measured).
    /// </summary>
    private static async Task SetupAsync(IServiceProvider services, int runs)
    {
        var commands = services.GetRequiredService<IRunCommands>();
        var processor = services.GetRequiredService<RunCommandProcessor>();
        var presenter = services.GetRequiredService<IStepPresenter>();
        var reader = services.GetRequiredService<IStepReader>();
        var settings = new RunSettings(RunMode.Vote, ConsensusPolicy.Default with { Quorum = 1_000_000, VotingWindow = null }, CandidatesPerStep: 3);
        var created = 0;
        await Parallel.ForAsync(0, runs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var run = Ok(await commands.StartRunAsync(new StartRunRequest("fix-failing-script", "Make the failing script pass.", "default", settings, ActorId.Discord(740_000_000_000_000_001)), ct));
            var thread = Ok(await presenter.EnsureThreadAsync(run, ct));
            var generated = Enumerable.Range(1, 3)
                .Select(n => new NewCandidate(CandidateKind.Bash, $"make -j{n} all", "Build in parallel to see the first error sooner.", CandidateSource.Model, ActorId.Model("default")))
                .ToList();
            Ok(await processor.HandleAsync(run, new CandidatesGenerated(ActorId.Model("default"), 1, generated), cancellationToken: ct));
            var rendered = await presenter.RenderStepAsync(run, 1, ct);
            if (!rendered.IsSuccess) throw new InvalidOperationException(rendered.Error!.ToString());
            var step = Ok(await reader.GetStepAsync(run, 1, ct));
            lock (services)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}RUN {run.Value} {step.StepId.Value} {thread} {Bot.Discord.Bot.DiscordRefs.Snowflake(step.Message)!.Value}"));
                created++;
            }
        });
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE work_items SET status = 'done', completed_at = now() WHERE status = 'pending'");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}SETUP-DONE {created}"));
    }

    private static T Ok<T>(Bot.Core.Results.Result<T> result) =>
        result.IsSuccess ? result.Value : throw new InvalidOperationException(result.Error!.ToString());

    private static async Task<int> ServeAsync(InteractionClock clock)
    {
        using var process = Process.GetCurrentProcess();
        var peakWorkingSet = 0L;
        var peakManaged = 0L;
        var peakHeap = 0L;
        var residentAtPeak = "";
        using var stalls = new StallWatch();
        using var phases = new PhaseTimes();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                if (process.WorkingSet64 > peakWorkingSet)
                {
                    peakWorkingSet = process.WorkingSet64;
                    residentAtPeak = StallWatch.ResidentSet();
                }
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                try { await Task.Delay(200, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var gcBefore = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        clock.Enabled = true;
        Console.WriteLine($"{Prefix}READY");
        // Console.In.ReadLineAsync reads synchronously on a pool thread and would hold one of the
        // pool's few threads (two on two cores) for the whole measurement: read on a thread of its own.
        static Task<string?> NextLineAsync() => Task.Factory.StartNew(Console.In.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        while (await NextLineAsync() is { } line && line.Trim() != "stop")
        {
            if (line.Trim() != "measure") continue;
            // End of the warm-up: latencies, GC counts and CPU are counted from here.
            clock.Reset();
            stalls.Reset();
            phases.Reset();
            gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            cpuBefore = process.TotalProcessorTime;
            wall.Restart();
        }
        clock.Enabled = false;
        await sampling.CancelAsync();
        await sampler;
        process.Refresh();
        var (toSend, toAnswer, receivedOnly) = clock.Latencies();
        // Unprefixed lines reach the benchmark's console as "[bot] ...".
        foreach (var line in stalls.Report(clock.Slowest(5)).Concat(phases.Report())) Console.WriteLine(line);
        Console.WriteLine("resident set at the sampled peak: " + residentAtPeak);
        Console.WriteLine("largest mappings now: " + StallWatch.LargestMappings(12));
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        Console.WriteLine($"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompiledILBytes() / 1024} KB of IL; {assemblies.Length} assemblies loaded: "
            + string.Join(' ', assemblies.Select(a => a.GetName().Name).Where(n => n is not null && !n.StartsWith("System.", StringComparison.Ordinal)).Order()));
        var stats = new ChildStats(
            Summary.Of(toSend), Summary.Of(toAnswer), receivedOnly,
            peakWorkingSet, process.PeakWorkingSet64, peakManaged, peakHeap,
            GC.CollectionCount(0) - gcBefore.Gen0, GC.CollectionCount(1) - gcBefore.Gen1, GC.CollectionCount(2) - gcBefore.Gen2,
            GCSettings(), (process.TotalProcessorTime - cpuBefore).TotalSeconds, wall.Elapsed.TotalSeconds);
        Console.WriteLine(Prefix + "STATS " + JsonSerializer.Serialize(stats));
        return 0;
    }

    private static string GCSettings() => System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
}

public sealed record ChildStats(
    Summary ReceiveToCallbackSent,
    Summary ReceiveToCallbackAnswered,
    int ReceivedWithoutCallback,
    long SampledPeakWorkingSet,
    long ProcessPeakWorkingSet,
    long SampledPeakManagedBytes,
    long SampledPeakGcHeapBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    string GcMode,
    double CpuSeconds,
    double WallSeconds);

public sealed record Summary(int Count, double Median, double P90, double P99, double Max)
{
    public static Summary Of(List<double> values)
    {
        if (values.Count == 0) return new Summary(0, 0, 0, 0, 0);
        values.Sort();
        double At(double q) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
        return new Summary(values.Count, At(0.5), At(0.9), At(0.99), values[^1]);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={Count} median {Median:F1} ms, p90 {P90:F1} ms, p99 {P99:F1} ms, max {Max:F1} ms");
}
