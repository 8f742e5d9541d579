using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

/// <summary>A gateway session: its sequence counter and the replay log Resume reads from.</summary>
public sealed class FakeGatewaySession(string id, int intents, int shardId = 0, int shardCount = 1)
{
    private readonly List<JsonObject> _log = [];

    public string Id { get; } = id;
    public int Intents { get; } = intents;

    /// <summary>The shard the session identified for ([0, 1] when Identify named none).</summary>
    public int ShardId { get; } = shardId;
    public int ShardCount { get; } = shardCount;
    public int Sequence { get; private set; }
    public bool Valid { get; set; } = true;

    /// <summary>Assigns the next sequence number and logs the dispatch; returns the payload to send.</summary>
    public JsonObject Append(string eventName, JsonObject data)
    {
        Sequence++;
        var payload = new JsonObject { ["op"] = 0, ["d"] = data, ["s"] = Sequence, ["t"] = eventName };
        _log.Add(payload);
        return payload;
    }

    public IReadOnlyList<JsonObject> After(int sequence) =>
        _log.Where(p => p["s"]!.GetValue<int>() > sequence).Select(p => (JsonObject)p.DeepClone()).ToList();
}
