using System.Text.Json;
using Bot.Discord.Api;

namespace Bot.Discord.Bot.Commands;

/// <summary>A slash command as invoked: name, subcommand and option values (typed reads, null when absent or wrong).</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, InteractionOption> _options;

    private CommandOptions(string name, string? subcommand, IEnumerable<InteractionOption> options)
    {
        Name = name;
        Subcommand = subcommand;
        _options = options.GroupBy(o => o.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public string Name { get; }
    public string? Subcommand { get; }

    /// <summary>The option being typed in an autocomplete interaction.</summary>
    public InteractionOption? Focused => _options.Values.FirstOrDefault(o => o.Focused == true);

    public static CommandOptions From(InteractionData? data)
    {
        var options = data?.Options ?? [];
        if (options is [{ Type: (int)CommandOptionType.SubCommand } sub])
            return new CommandOptions(data?.Name ?? "", sub.Name, sub.Options ?? []);
        return new CommandOptions(data?.Name ?? "", null, options);
    }

    public string? String(string name) =>
        _options.TryGetValue(name, out var o) && o.Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public long? Integer(string name)
    {
        if (!_options.TryGetValue(name, out var o) || o.Value is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
        // Autocomplete sends the partly typed value as a string even for integer options.
        return v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
    }

    public double? Number(string name) =>
        _options.TryGetValue(name, out var o) && o.Value is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out var d) ? d : null;

    public bool? Boolean(string name) =>
        _options.TryGetValue(name, out var o) && o.Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    /// <summary>The raw text of the focused option (autocomplete), whatever its type.</summary>
    public string FocusedText => Focused?.Value is { } v ? (v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()) : "";
}
