using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Rest;

/// <summary>
/// Discord's documented limits, checked before a request is sent so an oversized message fails here
/// with a clear error instead of costing a 400 (and an invalid-request count) at Discord.
/// </summary>
public static class MessageValidator
{
    public const int MaxContent = 2000;
    public const int MaxEmbeds = 10;
    public const int MaxEmbedTotal = 6000;
    public const int MaxRows = 5;
    public const int MaxButtonsPerRow = 5;
    public const int MaxFiles = 10;

    public static Error? Validate(MessageCreate message, int fileCount = 0) =>
        Check(message.Content, message.Embeds, message.Components, message.Flags, fileCount);

    public static Error? Validate(MessageEdit edit, int fileCount = 0) =>
        Check(
            edit.Content.HasValue ? edit.Content.Value : null,
            edit.Embeds.HasValue ? edit.Embeds.Value : null,
            edit.Components.HasValue ? edit.Components.Value : null,
            edit.Flags.HasValue ? edit.Flags.Value : null,
            fileCount);

    public static Error? Validate(InteractionResponse response, int fileCount = 0)
    {
        var data = response.Data;
        if (response.Type == InteractionCallbackType.Modal)
        {
            if (data is null || string.IsNullOrEmpty(data.Title) || data.Title.Length > 45)
            {
                return DiscordErrors.Validation("A modal needs a title of 1 to 45 characters.");
            }
            if (data.Components is not { Count: >= 1 and <= 5 })
            {
                return DiscordErrors.Validation("A modal needs 1 to 5 top-level components.");
            }
            return CheckCustomId(data.CustomId) ?? CheckComponentTree(data.Components, isModal: true);
        }
        if (response.Type == InteractionCallbackType.ApplicationCommandAutocompleteResult)
        {
            return data?.Choices is { Count: > 25 } ? DiscordErrors.Validation("Autocomplete allows at most 25 choices.") : null;
        }
        return data is null ? null : Check(data.Content, data.Embeds, data.Components, data.Flags, fileCount);
    }

    private static Error? Check(string? content, IReadOnlyList<Embed>? embeds, IReadOnlyList<Component>? components, MessageFlags? flags, int fileCount)
    {
        if (content is { Length: > MaxContent })
        {
            return DiscordErrors.Validation($"Message content is {content.Length} characters; Discord allows {MaxContent}.");
        }
        if (fileCount > MaxFiles)
        {
            return DiscordErrors.Validation($"A message can carry at most {MaxFiles} files, got {fileCount}.");
        }
        var isV2 = flags is { } f && f.HasFlag(MessageFlags.IsComponentsV2);
        if (isV2 && (!string.IsNullOrEmpty(content) || embeds is { Count: > 0 }))
        {
            return DiscordErrors.Validation("Components V2 messages cannot carry content or embeds.");
        }
        return CheckEmbeds(embeds) ?? CheckComponents(components, isV2);
    }

    private static Error? CheckEmbeds(IReadOnlyList<Embed>? embeds)
    {
        if (embeds is null)
        {
            return null;
        }
        if (embeds.Count > MaxEmbeds)
        {
            return DiscordErrors.Validation($"A message can carry at most {MaxEmbeds} embeds, got {embeds.Count}.");
        }
        var total = 0;
        for (var i = 0; i < embeds.Count; i++)
        {
            var e = embeds[i];
            var fields = e.Fields ?? [];
            if (Over(e.Title, 256) || Over(e.Description, 4096) || fields.Count > 25 || Over(e.Footer?.Text, 2048) || Over(e.Author?.Name, 256)
                || fields.Any(x => Over(x.Name, 256) || Over(x.Value, 1024)))
            {
                return DiscordErrors.Validation($"Embed {i} exceeds a per-embed limit (title 256, description 4096, 25 fields, field name 256 / value 1024, footer 2048, author 256).");
            }
            total += Len(e.Title) + Len(e.Description) + Len(e.Footer?.Text) + Len(e.Author?.Name) + fields.Sum(x => Len(x.Name) + Len(x.Value));
        }
        return total > MaxEmbedTotal
            ? DiscordErrors.Validation($"Embeds total {total} characters; Discord allows {MaxEmbedTotal} across all embeds.")
            : null;
    }

    private static Error? CheckComponents(IReadOnlyList<Component>? components, bool isV2)
    {
        if (components is null)
        {
            return null;
        }
        if (!isV2 && components.Count > MaxRows)
        {
            return DiscordErrors.Validation($"A message allows at most {MaxRows} action rows, got {components.Count}.");
        }
        if (isV2 && components.Sum(c => c.Flatten().Count()) > 40)
        {
            return DiscordErrors.Validation("A Components V2 message allows at most 40 components in total.");
        }
        return CheckComponentTree(components, isModal: false);
    }

    private static Error? CheckComponentTree(IReadOnlyList<Component> components, bool isModal)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in components.SelectMany(c => c.Flatten()))
        {
            if (component.Type == ComponentType.ActionRow && !isModal)
            {
                var children = component.Components ?? [];
                var buttons = children.Count(c => c.Type == ComponentType.Button);
                var selects = children.Count - buttons;
                if (children.Count == 0 || buttons > MaxButtonsPerRow || (selects > 0 && children.Count != 1))
                {
                    return DiscordErrors.Validation("An action row holds 1 to 5 buttons or exactly one select menu.");
                }
            }
            if (component.Type == ComponentType.Button && Over(component.Label, 80))
            {
                return DiscordErrors.Validation("Button labels are at most 80 characters.");
            }
            if (component.Type == ComponentType.StringSelect && component.Options is not { Count: >= 1 and <= 25 })
            {
                return DiscordErrors.Validation("A select menu needs 1 to 25 options.");
            }
            if (component.Type == ComponentType.TextInput && (Over(component.Value, 4000) || component.MaxLength is > 4000 or < 1))
            {
                return DiscordErrors.Validation("Text input values and max_length are at most 4000 characters.");
            }
            if (component.Type == ComponentType.Label && Over(component.Label, 45))
            {
                return DiscordErrors.Validation("Modal labels are at most 45 characters.");
            }
            var needsId = component.Type is ComponentType.StringSelect or ComponentType.TextInput
                || (component.Type == ComponentType.Button && component.Style != (int)ButtonStyle.Link && component.Style != 6);
            if (needsId || component.CustomId is not null)
            {
                if (CheckCustomId(component.CustomId) is { } error)
                {
                    return error;
                }
                if (!seen.Add(component.CustomId!))
                {
                    return DiscordErrors.Validation($"custom_id '{component.CustomId}' is used twice in one message.");
                }
            }
        }
        return null;
    }

    private static Error? CheckCustomId(string? customId) =>
        customId is { Length: >= 1 and <= 100 }
            ? null
            : DiscordErrors.Validation($"custom_id must be 1 to 100 characters, got {customId?.Length ?? 0}.");

    private static bool Over(string? text, int max) => text is not null && text.Length > max;

    private static int Len(string? text) => text?.Length ?? 0;
}
