using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

public sealed class FakeChannel
{
    public required ulong Id { get; init; }
    public required int Type { get; init; }
    public required string Name { get; set; }
    public ulong? ParentId { get; init; }
    public ulong? OwnerId { get; init; }

    public JsonObject ToJson(ulong guildId)
    {
        var json = new JsonObject
        {
            ["id"] = Id.ToString(),
            ["type"] = Type,
            ["guild_id"] = guildId.ToString(),
            ["name"] = Name,
        };
        if (ParentId is { } parent)
        {
            json["parent_id"] = parent.ToString();
            json["owner_id"] = OwnerId?.ToString();
            json["thread_metadata"] = new JsonObject { ["archived"] = false, ["auto_archive_duration"] = 1440, ["locked"] = false };
        }
        return json;
    }
}

/// <summary>A stored message; <see cref="Json"/> is what GET returns. Edits keep their previous versions.</summary>
public sealed class FakeMessage
{
    public required ulong Id { get; init; }
    public required ulong ChannelId { get; init; }
    public required ulong AuthorId { get; init; }
    public required JsonObject Json { get; set; }
    public List<JsonObject> PreviousVersions { get; } = [];
    public Dictionary<string, byte[]> Files { get; } = [];
    public ulong? ThreadId { get; set; }

    public bool FromBot { get; init; }
    public int EditCount => PreviousVersions.Count;
    public string? Content => Json["content"]?.GetValue<string>();
    public int Flags => Json["flags"]?.GetValue<int>() ?? 0;
    public JsonArray Components => Json["components"] as JsonArray ?? [];

    /// <summary>Every custom_id on the message, in order.</summary>
    public IReadOnlyList<string> CustomIds() => FakeJson.Walk(Components)
        .Select(c => c["custom_id"]?.GetValue<string>())
        .OfType<string>()
        .ToList();

    public override string ToString() => $"message {Id} in {ChannelId}: {Content}";
}

/// <summary>An interaction the test injected, and how the bot answered it.</summary>
public sealed class FakeInteraction
{
    public required ulong Id { get; init; }
    public required string Token { get; init; }
    public required int Type { get; init; }
    public required ulong ChannelId { get; init; }
    public required JsonObject Payload { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public ulong? SourceMessageId { get; init; }

    public JsonObject? Response { get; set; }

    /// <summary>A callback is being processed (checked and claimed under the store's lock, so two cannot both succeed).</summary>
    internal bool CallbackClaimed { get; set; }

    public int? ResponseType => Response?["type"]?.GetValue<int>();
    public ulong? OriginalMessageId { get; set; }
    public List<ulong> FollowupIds { get; } = [];

    /// <summary>Callbacks that came after the deadline or a second time (Discord rejected them).</summary>
    public List<string> RejectedCallbacks { get; } = [];

    public override string ToString() => $"interaction {Id} type {Type} (response {ResponseType?.ToString() ?? "none"})";
}

internal static class FakeJson
{
    /// <summary>Every component in a tree, depth first (rows, labels, containers).</summary>
    public static IEnumerable<JsonObject> Walk(JsonArray? components)
    {
        foreach (var node in components ?? [])
        {
            if (node is not JsonObject component)
            {
                continue;
            }
            yield return component;
            foreach (var child in Walk(component["components"] as JsonArray))
            {
                yield return child;
            }
            if (component["component"] is JsonObject single)
            {
                foreach (var child in Walk([single.DeepClone()]))
                {
                    yield return child;
                }
            }
            if (component["accessory"] is JsonObject accessory)
            {
                foreach (var child in Walk([accessory.DeepClone()]))
                {
                    yield return child;
                }
            }
        }
    }

    public static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}
