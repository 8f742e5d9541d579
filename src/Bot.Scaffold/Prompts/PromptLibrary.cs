using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;

namespace Bot.Scaffold.Prompts;

/// <summary>The prompts the scaffold needs and the variables each may use.</summary>
public static class PromptNames
{
    public const string Plugin = "Agent";
    public const string System = "System";
    public const string Step = "Step";
    public const string Judge = "Judge";
    public const string StuckCheck = "StuckCheck";
    public const string SubTask = "SubTask";
    public const string Summary = "Summary";

    /// <summary>Prompt -> variables the code supplies. A template using any other variable is a start-up error.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Variables = new Dictionary<string, string[]>
    {
        [System] = [],
        [Step] = ["step_number", "task_title", "task", "history", "last_observation", "nudges", "reflections"],
        [Judge] = ["task_title", "task", "history", "candidates"],
        [StuckCheck] = ["task_title", "task", "history"],
        [SubTask] = ["parent_title", "parent_task", "subtask"],
        [Summary] = ["task_title", "task", "history", "outcome"],
    };
}

/// <summary>A prompt file (SK prompt-directory format) that is missing or broken; the message names the file.</summary>
public sealed class PromptLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads every prompt from <c>{directory}/Agent/{Name}/skprompt.txt</c> + <c>config.json</c> once at
/// start-up, validating them, and renders them with Semantic Kernel's template engine.
/// </summary>
public sealed partial class PromptLibrary
{
    private static readonly Kernel TemplateKernel = new();
    private readonly Dictionary<string, IPromptTemplate> _templates;

    private PromptLibrary(Dictionary<string, IPromptTemplate> templates) => _templates = templates;

    public string Directory { get; private init; } = "";

    /// <summary>Loads and validates every prompt; throws <see cref="PromptLoadException"/> naming the bad file.</summary>
    public static PromptLibrary Load(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new PromptLoadException($"Prompt directory '{root}' does not exist (Scaffold:PromptsDirectory).");
        }

        var factory = new KernelPromptTemplateFactory { AllowDangerouslySetContent = true };
        var templates = new Dictionary<string, IPromptTemplate>();
        foreach (var (name, allowed) in PromptNames.Variables)
        {
            var folder = Path.Combine(root, PromptNames.Plugin, name);
            var promptFile = Path.Combine(folder, "skprompt.txt");
            var configFile = Path.Combine(folder, "config.json");
            if (!File.Exists(promptFile))
            {
                throw new PromptLoadException($"Prompt file '{promptFile}' is missing.");
            }
            if (!File.Exists(configFile))
            {
                throw new PromptLoadException($"Prompt config '{configFile}' is missing.");
            }

            var text = File.ReadAllText(promptFile);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new PromptLoadException($"Prompt file '{promptFile}' is empty.");
            }

            PromptTemplateConfig config;
            try
            {
                config = PromptTemplateConfig.FromJson(File.ReadAllText(configFile));
            }
            catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or NotSupportedException)
            {
                throw new PromptLoadException($"Prompt config '{configFile}' is not valid: {ex.Message}", ex);
            }

            var unknown = VariableReference().Matches(text).Select(m => m.Groups[1].Value).Distinct().Where(v => !allowed.Contains(v)).ToList();
            if (unknown.Count > 0)
            {
                throw new PromptLoadException($"Prompt file '{promptFile}' uses unknown variable(s) {string.Join(", ", unknown.Select(v => "$" + v))}; allowed: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed.Select(v => "$" + v)))}.");
            }

            config.Name = name;
            config.Template = text;
            config.TemplateFormat = PromptTemplateConfig.SemanticKernelTemplateFormat;
            // The rendered text is sent as one plain message, never re-parsed as chat markup, so
            // values (shell output with <, &, quotes) must stay byte-exact instead of HTML-encoded.
            config.AllowDangerouslySetContent = true;
            try
            {
                templates[name] = factory.Create(config);
            }
            catch (Exception ex) when (ex is KernelException or ArgumentException)
            {
                throw new PromptLoadException($"Prompt file '{promptFile}' is not a valid template: {ex.Message}", ex);
            }
        }
        return new PromptLibrary(templates) { Directory = root };
    }

    public async Task<string> RenderAsync(string name, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken = default)
    {
        var template = _templates.TryGetValue(name, out var t) ? t : throw new ArgumentException($"Unknown prompt '{name}'.", nameof(name));
        var arguments = new KernelArguments();
        foreach (var v in PromptNames.Variables[name])
        {
            arguments[v] = variables.TryGetValue(v, out var value) ? value : "";
        }
        var rendered = await template.RenderAsync(TemplateKernel, arguments, cancellationToken).ConfigureAwait(false);
        return rendered.Trim();
    }

    [GeneratedRegex(@"\{\{\s*\$([A-Za-z0-9_]+)")]
    private static partial Regex VariableReference();
}
