using System.Xml.Linq;
using Bot.Core.Engine;

namespace Bot.Core.Tests;

public class ArchitectureTests
{
    private static readonly string[] BclPrefixes = ["System", "Microsoft.Win32", "netstandard", "mscorlib"];

    [Fact]
    public void Bot_Core_references_only_the_base_class_library()
    {
        var referenced = typeof(RunEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.NotEmpty(referenced);
        var foreign = referenced.Where(name => !BclPrefixes.Any(p => name == p || name.StartsWith(p + ".", StringComparison.Ordinal))).ToArray();
        Assert.True(foreign.Length == 0, $"Bot.Core references non-BCL assemblies: {string.Join(", ", foreign)}");
    }

    [Fact]
    public void Bot_Core_project_has_no_package_or_project_references()
    {
        var project = XDocument.Load(FindCoreProject());

        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference" or "FrameworkReference")
            .Select(e => $"{e.Name.LocalName} {e.Attribute("Include")?.Value}")
            .ToArray();
        Assert.True(references.Length == 0, $"Bot.Core.csproj must reference nothing: {string.Join(", ", references)}");
    }

    private static string FindCoreProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Bot.Core", "Bot.Core.csproj");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"src/Bot.Core/Bot.Core.csproj not found above {AppContext.BaseDirectory}.");
    }
}
