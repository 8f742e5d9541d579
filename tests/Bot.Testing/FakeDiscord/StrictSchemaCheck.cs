using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

/// <summary>
/// The spec leaves almost every object open, so a misspelt field would pass JSON Schema validation
/// and be silently ignored by Discord. This walks the body alongside the spec and reports fields the
/// spec does not define (following $ref, arrays, and oneOf unions picked by their "type" value).
/// </summary>
internal static class StrictSchemaCheck
{
    private const string RefPrefix = "#/components/schemas/";

    public static List<string> UnknownFields(JsonObject defs, string schemaName, JsonNode? body)
    {
        var problems = new List<string>();
        Walk(defs, defs[schemaName] as JsonObject, body, "$", problems, 0);
        return problems;
    }

    private static void Walk(JsonObject defs, JsonObject? schema, JsonNode? instance, string path, List<string> problems, int depth)
    {
        schema = Pick(defs, Resolve(defs, schema), instance);
        if (schema is null || instance is null || depth > 12)
        {
            return;
        }
        if (instance is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Walk(defs, items, array[i], $"{path}[{i}]", problems, depth + 1);
            }
            return;
        }
        if (instance is not JsonObject obj || schema["properties"] is not JsonObject properties)
        {
            return;
        }
        foreach (var (key, value) in obj)
        {
            if (properties[key] is JsonObject propertySchema)
            {
                Walk(defs, propertySchema, value, $"{path}.{key}", problems, depth + 1);
            }
            else
            {
                problems.Add($"{path}.{key} is not a field of the spec's schema (typo, or a field Discord ignores)");
            }
        }
    }

    private static JsonObject? Resolve(JsonObject defs, JsonObject? schema)
    {
        for (var hops = 0; hops < 10 && schema?["$ref"] is JsonValue reference; hops++)
        {
            var text = reference.GetValue<string>();
            schema = text.StartsWith(RefPrefix, StringComparison.Ordinal) ? defs[text[RefPrefix.Length..]] as JsonObject : null;
        }
        return schema;
    }

    /// <summary>For oneOf/anyOf: the branch whose "type" enum holds the instance's type, or the only object branch.</summary>
    private static JsonObject? Pick(JsonObject defs, JsonObject? schema, JsonNode? instance)
    {
        if (schema?["oneOf"] is not JsonArray branches && schema?["anyOf"] is not JsonArray)
        {
            return schema;
        }
        branches = (schema["oneOf"] ?? schema["anyOf"])!.AsArray();
        var candidates = branches.OfType<JsonObject>()
            .Select(b => Resolve(defs, b))
            .Where(b => b?["properties"] is JsonObject || b?["items"] is JsonObject)
            .ToList();
        if (candidates.Count == 1)
        {
            return candidates[0];
        }
        if (instance is JsonObject obj && FakeJson.Int(obj["type"]) is { } type)
        {
            var matching = candidates.Where(c => c?["properties"]?["type"]?["enum"] is JsonArray values
                && values.Any(v => FakeJson.Int(v) == type)).ToList();
            return matching.Count == 1 ? matching[0] : null;
        }
        return null;
    }
}
