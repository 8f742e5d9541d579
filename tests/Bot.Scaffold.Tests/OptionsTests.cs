using Bot.Scaffold.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Tests;

public sealed class OptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, bool withEnvironment = false)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(settings);
        if (withEnvironment)
        {
            builder.AddEnvironmentVariables();
        }
        return new ServiceCollection().AddBotScaffold(builder.Build()).BuildServiceProvider();
    }

    [Fact]
    public void Profiles_bind_from_Models_sections_with_the_api_key_from_the_environment()
    {
        Environment.SetEnvironmentVariable("Models__envprofile__ApiKey", "sk-from-env");
        using var services = Build(new()
        {
            ["Scaffold:DefaultModel"] = "envprofile",
            ["Scaffold:PromptsDirectory"] = ScaffoldHarness.RepoPath("prompts"),
            ["Models:envprofile:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Models:envprofile:ModelId"] = "m1",
            ["Models:envprofile:MaxConcurrency"] = "2",
        }, withEnvironment: true);

        services.GetRequiredService<IStartupValidator>().Validate();
        var profile = services.GetRequiredService<IOptions<ModelsOptions>>().Value.Profiles["envprofile"];

        Assert.Equal(("m1", "sk-from-env", 2), (profile.ModelId, profile.ApiKey, profile.MaxConcurrency));
    }

    [Fact]
    public void A_default_model_without_a_profile_fails_start_up_naming_the_keys()
    {
        using var services = Build(new()
        {
            ["Scaffold:DefaultModel"] = "missing",
            ["Scaffold:PromptsDirectory"] = ScaffoldHarness.RepoPath("prompts"),
        });

        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Models__missing__ApiKey", ex.ToString());
    }

    [Fact]
    public void An_unknown_executor_name_fails_start_up()
    {
        using var services = Build(new()
        {
            ["Scaffold:DefaultModel"] = "m",
            ["Scaffold:PromptsDirectory"] = ScaffoldHarness.RepoPath("prompts"),
            ["Scaffold:Sandbox:Executor"] = "docker",
            ["Models:m:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Models:m:ModelId"] = "x",
        });

        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Scaffold:Sandbox:Executor", ex.ToString());
    }
}
