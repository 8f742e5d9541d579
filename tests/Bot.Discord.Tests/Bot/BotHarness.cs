using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data.Agent;
using Bot.Data.Ports;
using Bot.Data.Work;
using Bot.Data.Stores;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Presenting;
using Bot.Testing.FakeDiscord;
using Bot.Testing.Postgres;
using Dapper;
using StartRunRequest = Bot.Core.Ports.StartRunRequest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bot.Discord.Tests.Bot;

/// <summary>
/// The bot adapter as production composes it (Discord client, gateway, handlers, presenter, data
/// ports) against the fake Discord and a real PostgreSQL database. Tests act only as Discord users;
/// the engine's side (model candidates) is fed through the command processor, as the lead's work
/// handlers will.
/// </summary>
public class BotHarness : IAsyncLifetime
{
    public const ulong ResearcherRole = 1001;
    public const ulong ContractorRole = 1002;
    public static readonly ulong[] Contractor = [ContractorRole];
    public static readonly ulong[] Researcher = [ResearcherRole];

    private IHost? _host;

    public FakeDiscordServer Fake { get; private set; } = null!;
    public PostgresDatabase Db { get; } = new();
    public IServiceProvider Services => _host!.Services;

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        Fake = await FakeDiscordServer.StartAsync();
        _host = Build(Fake, Db, ConfigureServices);
        await _host.StartAsync();
        await Fake.WaitForReadyAsync();
    }

    /// <summary>
    /// The adapter's composition over <paramref name="fake"/> and <paramref name="db"/>; a second host
    /// built this way is a second bot process on the same database and the same Discord.
    /// </summary>
    public static IHost Build(FakeDiscordServer fake, PostgresDatabase db, Action<IServiceCollection>? configure = null, bool connectGateway = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Discord:Token"] = fake.Token,
            ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl,
            ["Discord:GatewayUrl"] = fake.GatewayUrl,
            ["Discord:ApplicationId"] = fake.ApplicationId.ToString(CultureInfo.InvariantCulture),
            ["Discord:Intents"] = "33281",
            ["Discord:RetryBaseDelay"] = "00:00:00.050",
            ["Discord:GuildId"] = fake.GuildId.ToString(CultureInfo.InvariantCulture),
            ["Discord:RunsChannelId"] = fake.DefaultChannelId.ToString(CultureInfo.InvariantCulture),
            ["Discord:ResearcherRoleIds:0"] = ResearcherRole.ToString(CultureInfo.InvariantCulture),
            ["Discord:ContractorRoleIds:0"] = ContractorRole.ToString(CultureInfo.InvariantCulture),
            ["Discord:ConnectGateway"] = connectGateway ? "true" : "false",
            ["Discord:RegisterCommands"] = connectGateway ? "true" : "false",
        };
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = configuration });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(db.Database);
        builder.Services.AddSingleton<RunCommandProcessor>();
        builder.Services.AddSingleton(sp => new CommandBatcher(sp.GetRequiredService<RunCommandProcessor>()));
        builder.Services.AddSingleton<AnnotationStore>();
        builder.Services.AddSingleton<AgentStore>();
        builder.Services.AddSingleton<IManualScoring, ManualScoring>();
        builder.Services.AddOptions<WorkQueueOptions>();
        builder.Services.AddSingleton<WorkQueue>();
        builder.Services.AddBotDataPorts(configuration);
        builder.Services.AddSingleton(new global::Bot.Data.Export.ExportSalt(Microsoft.Extensions.Options.Options.Create(new global::Bot.Data.Export.ExportOptions { PseudonymSalt = "bot-harness-salt-0123456789" })));
        builder.Services.AddSingleton<IDatasetExport, global::Bot.Data.Export.DatasetExport>();
        builder.Services.AddSingleton<ITaskCatalogView>(new Catalog());
        builder.Services.AddSingleton<IModelProfiles>(new ProfileList());
        builder.Services.AddDiscordClient(configuration);
        builder.Services.AddDiscordBot(configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Extra services for a variant of the harness (e.g. the web view's link ports).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        await Fake.DisposeAsync();
        await Db.DisposeAsync();
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A run at step 1 with model candidates, its thread and step message posted.</summary>
    public async Task<VotingRun> VotingRunAsync(int candidates = 3, int quorum = 2)
    {
        var settings = new RunSettings(RunMode.Vote, ConsensusPolicy.Default with { Quorum = quorum, VotingWindow = null }, candidates);
        var run = (await Get<IRunCommands>().StartRunAsync(new StartRunRequest("fix-the-build", "Make `make` pass.", "gpt-test", settings, ActorId.Discord(FakeUser.Carol.Id)))).Value;
        var thread = (await Get<IStepPresenter>().EnsureThreadAsync(run)).Value;
        var generated = Enumerable.Range(1, candidates)
            .Select(n => new NewCandidate(CandidateKind.Bash, $"make -j{n}", "Try the build", CandidateSource.Model, ActorId.Model("gpt-test"))).ToList();
        var handled = await Get<RunCommandProcessor>().HandleAsync(run, new CandidatesGenerated(ActorId.Model("gpt-test"), 1, generated));
        Assert.True(handled.IsSuccess, handled.Error?.ToString());
        var render = await Get<IStepPresenter>().RenderStepAsync(run, 1);
        Assert.True(render.IsSuccess, render.Error?.ToString());
        var step = (await Get<IStepReader>().GetStepAsync(run, 1)).Value;
        return new VotingRun(run, step.StepId, thread, DiscordRefs.Snowflake(step.Message)!.Value);
    }

    /// <summary>Claims the pending render work from the work queue and runs the production handler on it, as the worker would.</summary>
    public async Task RunPendingRenderWorkAsync()
    {
        var handler = new RenderStepHandler(Get<IStepPresenter>());
        var queue = Get<WorkQueue>();
        var claimed = await queue.ClaimAsync("harness", 100);
        Assert.Contains(claimed, c => c.Item is RenderStepWork);
        foreach (var work in claimed)
        {
            if (work.Item is not RenderStepWork) continue;
            var done = await handler.HandleAsync(work.Item, new WorkContext(work.Id, work.Attempt, work.IdempotencyKey, "harness"));
            Assert.True(done.IsSuccess, done.Error?.ToString());
            await queue.CompleteAsync(work.Id, "harness");
        }
    }

    public async Task<List<(string Voter, int Candidate)>> VotesAsync(StepId step)
    {
        await using var c = await Db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(string, int)>("SELECT voter, candidate_number FROM votes WHERE step_id = @id ORDER BY voter", new { id = step.Value })).ToList();
    }

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var c = await Db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(sql, args);
    }

    public static string Voter(FakeUser user) => ActorId.Discord(user.Id).Value;

    private sealed class Catalog : ITaskCatalogView
    {
        private static readonly TaskInfo[] Tasks = [new("fix-the-build", "Fix the build", "Make `make` pass without warnings.", MaxSteps: 2, TimeLimit: TimeSpan.FromMinutes(15), Tags: ["shell", "build"]), new("write-docs", "Write docs", "Document the CLI.")];
        public Task<IReadOnlyList<TaskInfo>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<TaskInfo>>(Tasks);
        public Task<TaskInfo?> FindAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(Tasks.FirstOrDefault(t => t.Name == name));
        public Task<string?> WhyNotAsync(string name, CancellationToken cancellationToken = default) =>
            Task.FromResult<string?>(name == RefusedTask ? $"{RefusedTask} cannot run here: it asks for the full_internet permission." : null);
    }

    /// <summary>A task the fake catalog knows but refuses (as a METR family asking for network is).</summary>
    public const string RefusedTask = "net_family/fetch";

    private sealed class ProfileList : IModelProfiles
    {
        public IReadOnlyList<ModelChoice> Profiles { get; } = [new("gpt-test", "gpt-test-model")];
    }
}

public sealed record VotingRun(RunId Run, StepId Step, ulong Thread, ulong Message);
