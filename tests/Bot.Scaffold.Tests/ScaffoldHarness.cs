using Bot.Testing.Repository;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Testing.FakeLlm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Scaffold.Tests;

/// <summary>Delays requested through the clock, so tests can check that Retry-After was honoured without timing.</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _timers = [];

    public IReadOnlyList<TimeSpan> Timers
    {
        get { lock (_timers) { return [.. _timers]; } }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_timers)
        {
            _timers.Add(dueTime);
        }
        return System.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>A service provider built by AddBotScaffold against a fake model server and temporary directories.</summary>
public sealed class ScaffoldHarness : IAsyncDisposable
{
    public const string Profile = "test";

    private ScaffoldHarness(FakeLlmServer fake, ServiceProvider services, string root, RecordingTimeProvider time)
    {
        Fake = fake;
        Services = services;
        Root = root;
        Time = time;
    }

    public FakeLlmServer Fake { get; }
    public ServiceProvider Services { get; }
    public string Root { get; }
    public RecordingTimeProvider Time { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static async Task<ScaffoldHarness> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var fake = await FakeLlmServer.StartAsync();
        var root = Directory.CreateTempSubdirectory("scaffold-tests-").FullName;
        // Commands run as an unprivileged uid (the tests run as root), which must be able to reach the workspaces.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var settings = new Dictionary<string, string?>
        {
            ["Scaffold:DefaultModel"] = Profile,
            ["Scaffold:PromptsDirectory"] = RepoPath("prompts"),
            ["Scaffold:TasksDirectory"] = RepoPath("tasks"),
            ["Scaffold:Retry:BaseDelayMilliseconds"] = "10",
            ["Scaffold:Sandbox:WorkspaceRoot"] = Path.Combine(root, "workspaces"),
            ["Scaffold:Sandbox:SnapshotRoot"] = Path.Combine(root, "snapshots"),
            ["Scaffold:Sandbox:TimeLimitSeconds"] = "20",
            [$"Models:{Profile}:Endpoint"] = fake.Endpoint.ToString(),
            [$"Models:{Profile}:ModelId"] = "fake-model-1",
            [$"Models:{Profile}:ApiKey"] = "sk-test-not-a-secret",
            [$"Models:{Profile}:Temperature"] = "0.9",
            [$"Models:{Profile}:MaxTokens"] = "333",
            [$"Models:{Profile}:TimeoutSeconds"] = "20",
        };
        foreach (var (k, v) in overrides ?? [])
        {
            settings[k] = v;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var time = new RecordingTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddBotScaffold(configuration);
        return new ScaffoldHarness(fake, services.BuildServiceProvider(), root, time);
    }

    public static AgentContext Context(int step = 1, IReadOnlyList<HistoryEntry>? history = null, string model = Profile) =>
        new(new RunId(42), step, model, "Find the password", "Find the password hidden under archive/ and submit it.",
            history ?? [], ["Look in hidden folders."], []);

    public static string RepoPath(string relative) => RepoPaths.Of(relative);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
