using Bot.Scaffold.Execution;
using Bot.Scaffold.Options;

namespace Bot.Host.Cli;

/// <summary>One configuration problem, with the environment variable that fixes it.</summary>
public sealed record ConfigProblem(string Key, string Message, bool IsFatal)
{
    /// <summary>The environment variable for a key: sections are joined by a double underscore.</summary>
    public string EnvironmentVariable => Key.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>
/// Checks the settings a person must provide before the bot can run. Options validation at start
/// covers shape and ranges; this covers what is simply missing, with a message that says how to
/// set it, because that is the first thing a newcomer meets.
/// </summary>
public static class ConfigCheck
{
    // Secrets are set in the environment only; the others may also go in appsettings.json.
    private static readonly HashSet<string> Secrets = ["Discord:Token"];

    private static readonly (string Key, string Why, bool Fatal)[] Required =
    [
        ("Discord:Token", "the bot token from the Discord Developer Portal (Bot tab)", true),
        ("Discord:GuildId", "the id of the server (guild) where slash commands are registered", true),
        ("Discord:RunsChannelId", "the channel where run threads are opened", true),
        ("Discord:TeamChannelId", "the channel for digests and alerts", false),
    ];

    public static IReadOnlyList<ConfigProblem> Find(IConfiguration configuration)
    {
        var problems = new List<ConfigProblem>();
        foreach (var (key, why, fatal) in Required)
        {
            if (string.IsNullOrWhiteSpace(configuration[key]))
            {
                problems.Add(new ConfigProblem(key, $"{key} is not set: {why}.", fatal));
            }
        }

        foreach (var key in new[] { "Discord:GuildId", "Discord:RunsChannelId", "Discord:TeamChannelId" })
        {
            var value = configuration[key];
            if (!string.IsNullOrWhiteSpace(value) && !ulong.TryParse(value, out _))
            {
                problems.Add(new ConfigProblem(key, $"{key} must be a numeric Discord id (snowflake), not '{value}'.", true));
            }
        }

        var model = configuration["Scaffold:DefaultModel"];
        if (!string.IsNullOrWhiteSpace(model) && string.IsNullOrWhiteSpace(configuration[$"Models:{model}:ApiKey"]))
        {
            problems.Add(new ConfigProblem($"Models:{model}:ApiKey",
                $"Models:{model}:ApiKey is not set: the API key of the default model profile '{model}' (leave empty only for local endpoints that need none).", false));
        }
        return problems;
    }

    /// <summary>
    /// What the sandbox really enforces on this host (cgroup or RLIMIT fallback, uid, bwrap features),
    /// so an operator sees it before the first run rather than after an incident.
    /// </summary>
    public static string SandboxLine(IConfiguration configuration)
    {
        var sandbox = new SandboxOptions();
        configuration.GetSection($"{ScaffoldOptions.SectionName}:Sandbox").Bind(sandbox);
        return sandbox.Executor == SandboxOptions.Unsandboxed
            ? "  sandbox: UNSAFE: Scaffold:Sandbox:Executor is 'unsandboxed'; commands run directly on this host."
            : $"  sandbox: {SandboxEnforcement.Probe(sandbox).Description(sandbox)}";
    }

    public static void Print(IReadOnlyList<ConfigProblem> problems, TextWriter writer)
    {
        if (problems.Count == 0)
        {
            writer.WriteLine("Configuration looks complete.");
            return;
        }
        foreach (var problem in problems)
        {
            writer.WriteLine($"  {(problem.IsFatal ? "missing" : "warning")}: {problem.Message}");
            writer.WriteLine(Secrets.Contains(problem.Key) || problem.Key.EndsWith(":ApiKey", StringComparison.Ordinal)
                ? $"           set the environment variable {problem.EnvironmentVariable} (secrets never go in appsettings.json)"
                : $"           set it in appsettings.json or with the environment variable {problem.EnvironmentVariable}");
        }
    }
}
