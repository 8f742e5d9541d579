using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

/// <summary>Builds INTERACTION_CREATE and MESSAGE_CREATE payloads shaped like Discord's.</summary>
internal static class InteractionPayloads
{
    public static JsonObject Interaction(FakeDiscordOptions options, FakeChannel channel, ulong id, string token, int type, JsonObject data, FakeUser user, IEnumerable<ulong> roles, FakeMessage? message)
    {
        var payload = new JsonObject
        {
            ["id"] = id.ToString(),
            ["application_id"] = options.ApplicationId.ToString(),
            ["type"] = type,
            ["token"] = token,
            ["version"] = 1,
            ["guild_id"] = options.GuildId.ToString(),
            ["guild"] = new JsonObject { ["id"] = options.GuildId.ToString(), ["locale"] = "en-US", ["features"] = new JsonArray() },
            ["channel_id"] = channel.Id.ToString(),
            ["channel"] = channel.ToJson(options.GuildId),
            ["member"] = Member(user, roles),
            ["app_permissions"] = "2248473465835073",
            ["locale"] = "en-US",
            ["guild_locale"] = "en-US",
            ["context"] = 0,
            ["entitlements"] = new JsonArray(),
            ["authorizing_integration_owners"] = new JsonObject { ["0"] = options.GuildId.ToString() },
            ["attachment_size_limit"] = 10_485_760,
            ["data"] = data,
        };
        if (message is not null)
        {
            payload["message"] = message.Json.DeepClone();
        }
        return payload;
    }

    public static JsonObject Member(FakeUser user, IEnumerable<ulong> roles) => new()
    {
        ["user"] = User(user),
        ["roles"] = new JsonArray(roles.Select(r => (JsonNode)JsonValue.Create(r.ToString())!).ToArray()),
        ["permissions"] = "2248473465835073",
        ["nick"] = null,
        ["joined_at"] = "2026-01-01T00:00:00.000000+00:00",
        ["deaf"] = false,
        ["mute"] = false,
        ["flags"] = 0,
    };

    public static JsonObject User(FakeUser user) => new()
    {
        ["id"] = user.Id.ToString(),
        ["username"] = user.Username,
        ["global_name"] = user.Username,
        ["discriminator"] = "0",
        ["avatar"] = null,
    };

    /// <summary>An option of a slash command; the type follows the CLR type of the value.</summary>
    public static JsonObject Option(string name, object value, bool focused = false)
    {
        var (type, node) = value switch
        {
            bool b => (5, JsonValue.Create(b)),
            int i => (4, JsonValue.Create(i)),
            long l => (4, JsonValue.Create(l)),
            double d => (10, JsonValue.Create(d)),
            _ => (3, (JsonNode?)JsonValue.Create(value.ToString())),
        };
        var option = new JsonObject { ["name"] = name, ["type"] = type, ["value"] = node };
        if (focused)
        {
            option["focused"] = true;
        }
        return option;
    }
}
