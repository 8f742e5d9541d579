using System.Text.Json.Serialization;

namespace Bot.Discord.Api;

/// <summary>Component type numbers (only the ones this bot sends or reads).</summary>
public static class ComponentType
{
    public const int ActionRow = 1;
    public const int Button = 2;
    public const int StringSelect = 3;
    public const int TextInput = 4;
    public const int Label = 18;
}

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    Link = 5,
}

public enum TextInputStyle
{
    Short = 1,
    Paragraph = 2,
}

/// <summary>
/// One component of any type. Discord's component union is flat enough that a single record with
/// optional fields round-trips every type (including ones this client does not know), which a
/// closed polymorphic hierarchy would refuse to read.
/// </summary>
public sealed record Component
{
    public required int Type { get; init; }
    public string? CustomId { get; init; }
    public int? Style { get; init; }
    public string? Label { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public bool? Disabled { get; init; }
    public Emoji? Emoji { get; init; }
    public IReadOnlyList<SelectOption>? Options { get; init; }
    public string? Placeholder { get; init; }
    public int? MinValues { get; init; }
    public int? MaxValues { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public bool? Required { get; init; }
    public string? Value { get; init; }
    public IReadOnlyList<string>? Values { get; init; }
    public IReadOnlyList<Component>? Components { get; init; }

    /// <summary>The single child of a Label (type 18).</summary>
    [JsonPropertyName("component")]
    public Component? Child { get; init; }

    public static Component ActionRow(params Component[] components) =>
        new() { Type = ComponentType.ActionRow, Components = components };

    public static Component Button(string customId, string label, ButtonStyle style = ButtonStyle.Secondary, bool disabled = false) =>
        new() { Type = ComponentType.Button, CustomId = customId, Label = label, Style = (int)style, Disabled = disabled ? true : null };

    public static Component LinkButton(string url, string label) =>
        new() { Type = ComponentType.Button, Url = url, Label = label, Style = (int)ButtonStyle.Link };

    public static Component StringSelect(string customId, IReadOnlyList<SelectOption> options, string? placeholder = null, int? minValues = null, int? maxValues = null) =>
        new() { Type = ComponentType.StringSelect, CustomId = customId, Options = options, Placeholder = placeholder, MinValues = minValues, MaxValues = maxValues };

    public static Component TextInput(string customId, TextInputStyle style, bool required = true, int? maxLength = null, string? value = null, string? placeholder = null) =>
        new() { Type = ComponentType.TextInput, CustomId = customId, Style = (int)style, Required = required, MaxLength = maxLength, Value = value, Placeholder = placeholder };

    /// <summary>The modal wrapper that replaced row + text input label.</summary>
    public static Component LabelFor(string label, Component child, string? description = null) =>
        new() { Type = ComponentType.Label, Label = label, Description = description, Child = child };

    /// <summary>Every component in this tree, depth first (rows, labels and their children).</summary>
    public IEnumerable<Component> Flatten()
    {
        yield return this;
        foreach (var child in Components ?? [])
        {
            foreach (var nested in child.Flatten())
            {
                yield return nested;
            }
        }
        if (Child is not null)
        {
            foreach (var nested in Child.Flatten())
            {
                yield return nested;
            }
        }
    }
}

public sealed record SelectOption(string Label, string Value, string? Description = null, bool? Default = null, Emoji? Emoji = null);

public sealed record Emoji(ulong? Id, string? Name, bool? Animated = null);
