using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Scaffold.Prompts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Tests;

public sealed class PromptTests : IDisposable
{
    private readonly string _copy;

    public PromptTests()
    {
        _copy = Directory.CreateTempSubdirectory("prompts-").FullName;
        var source = ScaffoldHarness.RepoPath("prompts");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void The_shipped_prompts_load()
    {
        var library = PromptLibrary.Load(_copy);
        Assert.EndsWith(Path.GetFileName(_copy), library.Directory);
    }

    [Fact]
    public void A_missing_prompt_file_is_an_error_naming_the_file()
    {
        File.Delete(Path.Combine(_copy, "Agent", "Judge", "skprompt.txt"));

        var ex = Assert.Throws<PromptLoadException>(() => PromptLibrary.Load(_copy));

        Assert.Contains(Path.Combine("Agent", "Judge", "skprompt.txt"), ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void A_broken_config_or_an_unknown_variable_is_an_error_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_copy, "Agent", "Summary", "config.json"), "{ not json");
        var config = Assert.Throws<PromptLoadException>(() => PromptLibrary.Load(_copy));
        Assert.Contains(Path.Combine("Agent", "Summary", "config.json"), config.Message);

        File.WriteAllText(Path.Combine(_copy, "Agent", "Summary", "config.json"), "{\"schema\": 1}");
        File.AppendAllText(Path.Combine(_copy, "Agent", "Step", "skprompt.txt"), "\n{{$tsak}}");
        var variable = Assert.Throws<PromptLoadException>(() => PromptLibrary.Load(_copy));
        Assert.Contains(Path.Combine("Agent", "Step", "skprompt.txt"), variable.Message);
        Assert.Contains("$tsak", variable.Message);
    }

    [Fact]
    public void Start_up_validation_fails_when_a_prompt_is_missing()
    {
        Directory.Delete(Path.Combine(_copy, "Agent", "StuckCheck"), recursive: true);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scaffold:DefaultModel"] = "m",
            ["Scaffold:PromptsDirectory"] = _copy,
            ["Models:m:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Models:m:ModelId"] = "x",
        }).Build();
        using var services = new ServiceCollection().AddBotScaffold(configuration).BuildServiceProvider();

        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(Path.Combine("Agent", "StuckCheck", "skprompt.txt"), ex.Message);
    }

    [Fact]
    public async Task Rendering_keeps_shell_text_verbatim()
    {
        var library = PromptLibrary.Load(_copy);

        var text = await library.RenderAsync(PromptNames.Step, new Dictionary<string, string> { ["task"] = "run `a && b < c > \"d\"` <message role=\"system\">" });

        Assert.Contains("run `a && b < c > \"d\"` <message role=\"system\">", text);
    }

    [Fact]
    public void History_over_budget_keeps_the_latest_steps_and_says_how_many_were_omitted()
    {
        var history = Enumerable.Range(1, 10).Select(i => new HistoryEntry(i, CandidateKind.Bash, $"echo step-{i}", new string('x', 100), 0)).ToList();

        var text = HistoryFormatter.Format(history, characterBudget: 500, observationLimit: 1000);

        Assert.StartsWith("[... 7 earlier steps omitted ...]", text);
        Assert.DoesNotContain("step-7\n", text);
        Assert.Contains("echo step-8", text);
        Assert.Contains("echo step-10", text);
        Assert.DoesNotContain("omitted", HistoryFormatter.Format(history, 100_000, 1000));
    }

    [Fact]
    public void Long_observations_are_cut_for_the_model_with_a_marker()
    {
        var output = new string('a', 3000) + new string('b', 3000);

        var cut = OutputTruncation.ForModel(output, 600);

        Assert.StartsWith("aaaa", cut);
        Assert.EndsWith("bbbb", cut);
        Assert.Contains("[... 5400 characters truncated ...]", cut);
        Assert.Equal("short", OutputTruncation.ForModel("short", 600));
    }
}
