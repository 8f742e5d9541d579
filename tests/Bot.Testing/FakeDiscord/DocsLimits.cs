using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Bot.Testing.FakeDiscord.FakeJson;

namespace Bot.Testing.FakeDiscord;

/// <summary>
/// The limits Discord's docs state where the OpenAPI spec is looser (content 2000 not 4000, the 6000
/// character embed total, 5 rows of 5 buttons, unique custom ids, modal 5 components, choice values 100).
/// </summary>
public static partial class DocsLimits
{
    private const int ComponentsV2 = 1 << 15;

    public static List<string> CheckMessage(JsonObject body, bool requireNoMentions, bool isEdit)
    {
        var problems = new List<string>();
        var content = Str(body["content"]);
        if (content is { Length: > 2000 })
        {
            problems.Add($"content is {content.Length} characters; the limit is 2000");
        }
        var flags = Int(body["flags"]) ?? 0;
        var isV2 = (flags & ComponentsV2) != 0;
        if (isV2 && (!string.IsNullOrEmpty(content) || body["embeds"] is JsonArray { Count: > 0 }))
        {
            problems.Add("IS_COMPONENTS_V2 messages cannot have content or embeds");
        }
        CheckEmbeds(body["embeds"] as JsonArray, problems);
        CheckMessageComponents(body["components"] as JsonArray, isV2, problems);
        if (requireNoMentions && !string.IsNullOrEmpty(content) && (!isEdit || body.ContainsKey("content")))
        {
            if (body["allowed_mentions"]?["parse"] is not JsonArray { Count: 0 })
            {
                problems.Add("messages with text must send allowed_mentions {\"parse\": []} (project rule: model/user text never pings)");
            }
        }
        return problems;
    }

    public static void CheckEmbeds(JsonArray? embeds, List<string> problems)
    {
        if (embeds is null)
        {
            return;
        }
        if (embeds.Count > 10)
        {
            problems.Add($"{embeds.Count} embeds; the limit is 10");
        }
        var total = 0;
        foreach (var embed in embeds.OfType<JsonObject>())
        {
            var title = Str(embed["title"])?.Length ?? 0;
            var description = Str(embed["description"])?.Length ?? 0;
            var footer = Str(embed["footer"]?["text"])?.Length ?? 0;
            var author = Str(embed["author"]?["name"])?.Length ?? 0;
            var fields = (embed["fields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (title > 256 || description > 4096 || footer > 2048 || author > 256 || fields.Count > 25)
            {
                problems.Add("an embed exceeds title 256 / description 4096 / footer 2048 / author 256 / 25 fields");
            }
            foreach (var field in fields)
            {
                var name = Str(field["name"])?.Length ?? 0;
                var value = Str(field["value"])?.Length ?? 0;
                if (name > 256 || value > 1024)
                {
                    problems.Add("an embed field exceeds name 256 / value 1024");
                }
                total += name + value;
            }
            total += title + description + footer + author;
        }
        if (total > 6000)
        {
            problems.Add($"embeds total {total} characters; the limit is 6000");
        }
    }

    private static void CheckMessageComponents(JsonArray? components, bool isV2, List<string> problems)
    {
        if (components is null)
        {
            return;
        }
        var all = Walk(components).ToList();
        if (isV2 && all.Count > 40)
        {
            problems.Add($"{all.Count} components; V2 messages allow 40 in total");
        }
        if (!isV2)
        {
            if (components.Count > 5)
            {
                problems.Add($"{components.Count} action rows; the limit is 5");
            }
            foreach (var row in components.OfType<JsonObject>())
            {
                if (Int(row["type"]) != 1)
                {
                    problems.Add("top-level components must be action rows unless IS_COMPONENTS_V2 is set");
                    continue;
                }
                var children = (row["components"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var buttons = children.Count(c => Int(c["type"]) == 2);
                if (children.Count == 0 || buttons > 5 || (buttons != children.Count && children.Count != 1))
                {
                    problems.Add("an action row holds 1-5 buttons or exactly one select");
                }
            }
        }
        CheckComponentFields(all, problems);
    }

    private static void CheckComponentFields(List<JsonObject> all, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in all)
        {
            var type = Int(c["type"]);
            var customId = Str(c["custom_id"]);
            if (customId is not null && !seen.Add(customId))
            {
                problems.Add($"custom_id '{customId}' is not unique in the message");
            }
            if (customId is { Length: 0 or > 100 })
            {
                problems.Add($"custom_id is {customId.Length} characters; it must be 1-100");
            }
            var needsId = type is 3 or 4 or 5 or 6 or 7 or 8 || (type == 2 && Int(c["style"]) is not (5 or 6));
            if (needsId && customId is null)
            {
                problems.Add($"component type {type} needs a custom_id");
            }
            if (type == 2 && Str(c["label"]) is { Length: > 80 })
            {
                problems.Add("button label over 80 characters");
            }
            if (type == 3 && c["options"] is not JsonArray { Count: >= 1 and <= 25 })
            {
                problems.Add("a string select needs 1-25 options");
            }
            if (type == 3)
            {
                foreach (var option in (c["options"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (Str(option["label"]) is { Length: > 100 } || Str(option["value"]) is { Length: > 100 } || Str(option["description"]) is { Length: > 100 })
                    {
                        problems.Add("select option label/value/description over 100 characters");
                    }
                }
            }
            if (type == 4 && (Str(c["value"]) is { Length: > 4000 } || Int(c["max_length"]) is > 4000 || Int(c["min_length"]) is > 4000))
            {
                problems.Add("text input value/min_length/max_length over 4000");
            }
            if (type == 18 && Str(c["label"]) is { Length: > 45 })
            {
                problems.Add("label component text over 45 characters");
            }
        }
    }

    public static List<string> CheckModal(JsonObject? data)
    {
        var problems = new List<string>();
        if (data is null)
        {
            return ["a modal response needs data"];
        }
        if (Str(data["title"]) is not { Length: >= 1 and <= 45 })
        {
            problems.Add("modal title must be 1-45 characters");
        }
        if (Str(data["custom_id"]) is not { Length: >= 1 and <= 100 })
        {
            problems.Add("modal custom_id must be 1-100 characters");
        }
        if (data["components"] is not JsonArray { Count: >= 1 and <= 5 } components)
        {
            problems.Add("a modal has 1-5 top-level components");
            return problems;
        }
        CheckComponentFields(Walk(components).ToList(), problems);
        return problems;
    }

    public static List<string> CheckCommands(JsonArray commands)
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var command in commands.OfType<JsonObject>())
        {
            var name = Str(command["name"]) ?? string.Empty;
            if (!names.Add($"{Int(command["type"]) ?? 1}:{name}"))
            {
                problems.Add($"duplicate command name '{name}'");
            }
            CheckNameAndDescription(command, $"command '{name}'", requireDescription: (Int(command["type"]) ?? 1) == 1, problems);
            CheckOptions(command["options"] as JsonArray, $"command '{name}'", problems);
        }
        return problems;
    }

    private static void CheckOptions(JsonArray? options, string where, List<string> problems)
    {
        if (options is null)
        {
            return;
        }
        if (options.Count > 25)
        {
            problems.Add($"{where} has {options.Count} options; the limit is 25");
        }
        var seenOptional = false;
        foreach (var option in options.OfType<JsonObject>())
        {
            var name = Str(option["name"]) ?? string.Empty;
            var type = Int(option["type"]) ?? 0;
            CheckNameAndDescription(option, $"{where} option '{name}'", requireDescription: true, problems);
            var required = option["required"]?.GetValue<bool>() ?? false;
            if (type is not (1 or 2))
            {
                if (required && seenOptional)
                {
                    problems.Add($"{where}: required option '{name}' comes after an optional one");
                }
                seenOptional |= !required;
            }
            if (option["choices"] is JsonArray choices)
            {
                if (choices.Count > 25)
                {
                    problems.Add($"{where} option '{name}' has more than 25 choices");
                }
                if (option["autocomplete"]?.GetValue<bool>() == true && choices.Count > 0)
                {
                    problems.Add($"{where} option '{name}' sets both autocomplete and choices");
                }
                if (choices.OfType<JsonObject>().Any(c => Str(c["value"]) is { Length: > 100 } || Str(c["name"]) is not { Length: >= 1 and <= 100 }))
                {
                    problems.Add($"{where} option '{name}' has a choice name/value outside 1-100 characters");
                }
            }
            CheckOptions(option["options"] as JsonArray, $"{where} > {name}", problems);
        }
    }

    private static void CheckNameAndDescription(JsonObject node, string where, bool requireDescription, List<string> problems)
    {
        var name = Str(node["name"]) ?? string.Empty;
        if (!CommandName().IsMatch(name) || name != name.ToLowerInvariant())
        {
            problems.Add($"{where}: name must be 1-32 lowercase characters of letters, digits, '-', '_'");
        }
        if (requireDescription && Str(node["description"]) is not { Length: >= 1 and <= 100 })
        {
            problems.Add($"{where}: description must be 1-100 characters");
        }
    }

    [GeneratedRegex(@"^[-_'\p{L}\p{N}]{1,32}$")]
    private static partial Regex CommandName();
}
