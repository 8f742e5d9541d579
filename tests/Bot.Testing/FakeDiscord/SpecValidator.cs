using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Bot.Testing.FakeDiscord;

/// <summary>
/// Validates request bodies against Discord's OpenAPI spec. The schemas are lifted into one JSON
/// Schema 2020-12 document and built once per process (it takes ~100 ms+), then shared by every fake.
/// </summary>
public static class SpecValidator
{
    private const string BaseId = "urn:discord-openapi";
    private static readonly Lazy<BuildOptions> Registry = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Dictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private static JsonObject? _rawDefs;

    /// <summary>
    /// Errors of <paramref name="body"/> against schema <paramref name="schemaName"/>, plus fields the
    /// schema does not define; empty when valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(string schemaName, JsonNode? body)
    {
        var schema = GetSchema(schemaName);
        var unknown = StrictSchemaCheck.UnknownFields(_rawDefs!, schemaName, body);
        using var doc = JsonDocument.Parse(body?.ToJsonString() ?? "null");
        var result = schema.Evaluate(doc.RootElement, Evaluation);
        if (result.IsValid)
        {
            return unknown;
        }
        var errors = new List<string>(unknown);
        foreach (var detail in result.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                errors.Add($"{detail.InstanceLocation} ({keyword}): {message}");
            }
        }
        // oneOf failures are noisy; keep the report readable.
        return errors.Count == 0 ? ["(invalid, no detail)"] : errors.Distinct().Take(12).ToList();
    }

    private static JsonSchema GetSchema(string name)
    {
        var options = Registry.Value;
        lock (Schemas)
        {
            if (!Schemas.TryGetValue(name, out var schema))
            {
                schema = JsonSchema.FromText($$"""{"$ref":"{{BaseId}}#/$defs/{{name}}"}""", options);
                Schemas[name] = schema;
            }
            return schema;
        }
    }

    private static BuildOptions Build()
    {
        using var stream = typeof(SpecValidator).Assembly.GetManifestResourceStream("FakeDiscord.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded in Bot.Testing.");
        var spec = JsonNode.Parse(stream)!;
        var defs = spec["components"]!["schemas"]!.DeepClone().AsObject();
        Normalise(defs);
        _rawDefs = (JsonObject)defs.DeepClone();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BaseId,
            ["$defs"] = defs,
        };
        var text = root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromText(text, options);
        return options;
    }

    /// <summary>The docs send permission bitsets as strings while the spec says integer; accept both.</summary>
    private static void Normalise(JsonObject defs)
    {
        foreach (var (_, schema) in defs)
        {
            if (schema?["properties"]?["default_member_permissions"] is JsonObject perms)
            {
                perms.Clear();
                perms["type"] = new JsonArray("string", "integer", "null");
            }
        }
    }
}
