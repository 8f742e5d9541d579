using System.Text.Json;

namespace Bot.Discord.Api;

public enum CommandOptionType
{
    SubCommand = 1,
    SubCommandGroup = 2,
    String = 3,
    Integer = 4,
    Boolean = 5,
    User = 6,
    Channel = 7,
    Role = 8,
    Mentionable = 9,
    Number = 10,
    Attachment = 11,
}

public sealed record CommandChoice(string Name, JsonElement Value)
{
    public static CommandChoice Of(string name, string value) => new(name, JsonSerializer.SerializeToElement(value));

    public static CommandChoice Of(string name, long value) => new(name, JsonSerializer.SerializeToElement(value));
}

public sealed record CommandOptionDefinition
{
    public required CommandOptionType Type { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public bool? Required { get; init; }
    public IReadOnlyList<CommandChoice>? Choices { get; init; }
    public IReadOnlyList<CommandOptionDefinition>? Options { get; init; }
    public bool? Autocomplete { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public double? MinValue { get; init; }
    public double? MaxValue { get; init; }
    public IReadOnlyList<int>? ChannelTypes { get; init; }
}

/// <summary>One command in a bulk overwrite (<c>PUT .../commands</c>).</summary>
public sealed record ApplicationCommandDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public int Type { get; init; } = 1;
    public IReadOnlyList<CommandOptionDefinition>? Options { get; init; }

    /// <summary>A permission bitset as a string; "0" means administrators only, null means everyone.</summary>
    public string? DefaultMemberPermissions { get; init; }
    public IReadOnlyList<int>? Contexts { get; init; }
    public IReadOnlyList<int>? IntegrationTypes { get; init; }
    public bool? Nsfw { get; init; }
}

public sealed record ApplicationCommand
{
    public required ulong Id { get; init; }
    public ulong ApplicationId { get; init; }
    public ulong? GuildId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public int Type { get; init; } = 1;
    public IReadOnlyList<CommandOptionDefinition>? Options { get; init; }
    public ulong? Version { get; init; }
}
