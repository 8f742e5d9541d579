using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

/// <summary>In-memory guild: channels, threads, messages, interactions, command registrations.</summary>
public sealed class FakeDiscordStore
{
    private readonly object _gate = new();
    private readonly FakeDiscordOptions _options;
    private readonly Dictionary<ulong, FakeChannel> _channels = [];
    private readonly Dictionary<ulong, FakeMessage> _messages = [];
    private readonly Dictionary<ulong, FakeInteraction> _interactions = [];
    private readonly Dictionary<string, JsonArray> _commands = [];

    public FakeDiscordStore(FakeDiscordOptions options)
    {
        _options = options;
        for (var i = 0; i < options.InitialChannels; i++)
        {
            AddChannel($"channel-{i}");
        }
    }

    public Snowflakes Ids { get; } = new();

    /// <summary>Signalled on every change, so tests can wait for an outcome instead of sleeping.</summary>
    public event Action? Changed;

    public object Gate => _gate;

    public IReadOnlyList<FakeChannel> Channels
    {
        get
        {
            lock (_gate)
            {
                return _channels.Values.OrderBy(c => c.Id).ToList();
            }
        }
    }

    public FakeChannel AddChannel(string name, int type = 0, ulong? parentId = null, ulong? id = null, ulong? ownerId = null)
    {
        var channel = new FakeChannel { Id = id ?? Ids.Next(), Type = type, Name = name, ParentId = parentId, OwnerId = ownerId };
        lock (_gate)
        {
            _channels[channel.Id] = channel;
        }
        NotifyChanged();
        return channel;
    }

    public FakeChannel? FindChannel(ulong id)
    {
        lock (_gate)
        {
            return _channels.GetValueOrDefault(id);
        }
    }

    public FakeMessage? FindMessage(ulong id)
    {
        lock (_gate)
        {
            return _messages.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<FakeMessage> MessagesIn(ulong channelId)
    {
        lock (_gate)
        {
            return _messages.Values.Where(m => m.ChannelId == channelId).OrderBy(m => m.Id).ToList();
        }
    }

    public IReadOnlyList<FakeMessage> AllMessages()
    {
        lock (_gate)
        {
            return _messages.Values.OrderBy(m => m.Id).ToList();
        }
    }

    public FakeMessage AddMessage(ulong channelId, ulong authorId, bool fromBot, JsonObject body, string authorName = "user")
    {
        var id = Ids.Next();
        var json = new JsonObject
        {
            ["id"] = id.ToString(),
            ["channel_id"] = channelId.ToString(),
            ["guild_id"] = _options.GuildId.ToString(),
            ["type"] = 0,
            ["author"] = new JsonObject { ["id"] = authorId.ToString(), ["username"] = fromBot ? "fake-bot" : authorName, ["bot"] = fromBot },
            ["content"] = FakeJson.Str(body["content"]) ?? string.Empty,
            ["embeds"] = body["embeds"]?.DeepClone() ?? new JsonArray(),
            ["components"] = body["components"]?.DeepClone() ?? new JsonArray(),
            ["attachments"] = body["attachments"]?.DeepClone() ?? new JsonArray(),
            ["flags"] = FakeJson.Int(body["flags"]) ?? 0,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["edited_timestamp"] = null,
            ["tts"] = false,
            ["mention_everyone"] = false,
            ["mentions"] = new JsonArray(),
            ["mention_roles"] = new JsonArray(),
            ["pinned"] = false,
        };
        if (body["message_reference"] is JsonObject reference)
        {
            json["message_reference"] = reference.DeepClone();
        }
        if (body["nonce"] is { } nonce)
        {
            json["nonce"] = nonce.DeepClone();
        }
        var message = new FakeMessage { Id = id, ChannelId = channelId, AuthorId = authorId, FromBot = fromBot, Json = json };
        lock (_gate)
        {
            _messages[id] = message;
        }
        NotifyChanged();
        return message;
    }

    /// <summary>Applies a PATCH: present fields replace (null clears), absent fields stay.</summary>
    public FakeMessage EditMessage(FakeMessage message, JsonObject patch)
    {
        lock (_gate)
        {
            message.PreviousVersions.Add((JsonObject)message.Json.DeepClone());
            foreach (var (key, value) in patch)
            {
                if (key is "content" or "embeds" or "components" or "attachments" or "flags")
                {
                    message.Json[key] = value?.DeepClone() ?? (key == "content" ? JsonValue.Create(string.Empty) : key == "flags" ? JsonValue.Create(0) : new JsonArray());
                }
            }
            message.Json["edited_timestamp"] = DateTimeOffset.UtcNow.ToString("O");
        }
        NotifyChanged();
        return message;
    }

    public void DeleteMessage(ulong id)
    {
        lock (_gate)
        {
            _messages.Remove(id);
        }
        NotifyChanged();
    }

    public void AddInteraction(FakeInteraction interaction)
    {
        lock (_gate)
        {
            _interactions[interaction.Id] = interaction;
        }
        NotifyChanged();
    }

    public FakeInteraction? FindInteraction(ulong id)
    {
        lock (_gate)
        {
            return _interactions.GetValueOrDefault(id);
        }
    }

    public FakeInteraction? FindInteractionByToken(string token)
    {
        lock (_gate)
        {
            return _interactions.Values.FirstOrDefault(i => i.Token == token);
        }
    }

    public IReadOnlyList<FakeInteraction> Interactions()
    {
        lock (_gate)
        {
            return _interactions.Values.OrderBy(i => i.Id).ToList();
        }
    }

    /// <summary>Registered commands; key "global" or the guild id.</summary>
    public JsonArray Commands(string scope)
    {
        lock (_gate)
        {
            return (JsonArray)(_commands.GetValueOrDefault(scope)?.DeepClone() ?? new JsonArray());
        }
    }

    public void SetCommands(string scope, JsonArray commands)
    {
        lock (_gate)
        {
            _commands[scope] = commands;
        }
        NotifyChanged();
    }

    public JsonObject GuildJson()
    {
        var channels = new JsonArray();
        var threads = new JsonArray();
        foreach (var channel in Channels)
        {
            (channel.ParentId is null ? channels : threads).Add(channel.ToJson(_options.GuildId));
        }
        return new JsonObject
        {
            ["id"] = _options.GuildId.ToString(),
            ["name"] = "Fake Guild",
            ["unavailable"] = false,
            ["member_count"] = 3,
            ["channels"] = channels,
            ["threads"] = threads,
            ["roles"] = new JsonArray(),
            ["members"] = new JsonArray(),
        };
    }

    public void NotifyChanged() => Changed?.Invoke();
}
