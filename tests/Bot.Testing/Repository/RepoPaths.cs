namespace Bot.Testing.Repository;

/// <summary>Paths in the checkout (prompts/, tasks/), found by walking up from the test binaries to Bot.sln.</summary>
public static class RepoPaths
{
    public static string Of(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bot.sln"))) return Path.Combine(dir.FullName, relative);
        }
        throw new DirectoryNotFoundException($"Bot.sln not found above {AppContext.BaseDirectory}.");
    }
}
