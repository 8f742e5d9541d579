using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

/// <summary>What a test does as the users of the guild, and how it reads what the bot did.</summary>
public sealed partial class FakeDiscordServer
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Configuration for the bot under test: the <c>Discord:*</c> keys that point the real client at
    /// this fake, with reconnect and retry timings shortened so fault tests stay fast.
    /// </summary>
    public Dictionary<string, string?> ClientSettings() => new()
    {
        ["Discord:Token"] = Token,
        ["Discord:ApiBaseUrl"] = ApiBaseUrl,
        ["Discord:ApplicationId"] = ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Discord:RetryBaseDelay"] = "00:00:00.020",
        ["Discord:UnknownResetWait"] = "00:00:00.100",
        ["Discord:ReconnectBaseDelay"] = "00:00:00.050",
        ["Discord:ReconnectMaxDelay"] = "00:00:00.500",
        ["Discord:IdentifyMinInterval"] = "00:00:00.100",
        ["Discord:IdentifyConcurrencyWindow"] = "00:00:00.100",
    };

    public FakeChannel CreateChannel(string name) => Store.AddChannel(name);

    public IReadOnlyList<FakeMessage> MessagesIn(ulong channelId) => Store.MessagesIn(channelId);

    public FakeMessage? Message(ulong messageId) => Store.FindMessage(messageId);

    public IReadOnlyList<FakeInteraction> Interactions => Store.Interactions();

    /// <summary>Builds a command option; the option type follows the value's CLR type.</summary>
    public static JsonObject Option(string name, object value, bool focused = false) => InteractionPayloads.Option(name, value, focused);

    /// <summary>A subcommand with its options.</summary>
    public static JsonObject SubCommand(string name, params JsonObject[] options) =>
        new() { ["name"] = name, ["type"] = 1, ["options"] = new JsonArray(options.Cast<JsonNode>().ToArray()) };

    public Task<FakeInteraction> SlashCommandAsync(ulong channelId, string name, IEnumerable<JsonObject>? options = null, FakeUser? user = null, IEnumerable<ulong>? roles = null) =>
        InjectAsync(channelId, 2, CommandData(name, options), user, roles, null);

    public Task<FakeInteraction> AutocompleteAsync(ulong channelId, string name, IEnumerable<JsonObject> options, FakeUser? user = null, IEnumerable<ulong>? roles = null) =>
        InjectAsync(channelId, 4, CommandData(name, options), user, roles, null);

    public Task<FakeInteraction> ClickButtonAsync(ulong channelId, ulong messageId, string customId, FakeUser? user = null, IEnumerable<ulong>? roles = null)
    {
        var message = RequireComponent(channelId, messageId, customId, 2);
        return InjectAsync(channelId, 3, new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 }, user, roles, message);
    }

    /// <summary>
    /// A click from a client that still shows an earlier version of the message: Discord delivers
    /// it even when the bot has since disabled the button (the edit had not reached that client).
    /// </summary>
    public Task<FakeInteraction> ClickButtonAsSeenBeforeAsync(ulong channelId, ulong messageId, string customId, FakeUser? user = null, IEnumerable<ulong>? roles = null)
    {
        var message = RequireComponent(channelId, messageId, customId, 2, mayBeDisabled: true);
        return InjectAsync(channelId, 3, new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 }, user, roles, message);
    }

    public Task<FakeInteraction> SelectAsync(ulong channelId, ulong messageId, string customId, IEnumerable<string> values, FakeUser? user = null, IEnumerable<ulong>? roles = null)
    {
        var message = RequireComponent(channelId, messageId, customId, 3);
        var data = new JsonObject
        {
            ["custom_id"] = customId,
            ["component_type"] = 3,
            ["values"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
        };
        return InjectAsync(channelId, 3, data, user, roles, message);
    }

    /// <summary>
    /// Submits a modal (Label form: each value wrapped in a type 18 label). Pass the message the modal
    /// was opened from, if any, so UPDATE_MESSAGE responses are allowed.
    /// </summary>
    public Task<FakeInteraction> SubmitModalAsync(ulong channelId, string customId, IReadOnlyDictionary<string, string> values, FakeUser? user = null, IEnumerable<ulong>? roles = null, ulong? sourceMessageId = null)
    {
        var components = new JsonArray();
        foreach (var (id, value) in values)
        {
            components.Add(new JsonObject
            {
                ["type"] = 18,
                ["id"] = components.Count + 1,
                ["component"] = new JsonObject { ["type"] = 4, ["id"] = components.Count + 100, ["custom_id"] = id, ["value"] = value },
            });
        }
        var message = sourceMessageId is { } m ? Store.FindMessage(m) : null;
        return InjectAsync(channelId, 5, new JsonObject { ["custom_id"] = customId, ["components"] = components }, user, roles, message);
    }

    /// <summary>A user posts (for example a reply in a run thread); the bot sees MESSAGE_CREATE.</summary>
    public async Task<FakeMessage> PostUserMessageAsync(ulong channelId, string content, FakeUser? user = null, ulong? replyToMessageId = null, IEnumerable<ulong>? roles = null)
    {
        user ??= FakeUser.Alice;
        var body = new JsonObject { ["content"] = content };
        if (replyToMessageId is { } reply)
        {
            body["message_reference"] = new JsonObject { ["message_id"] = reply.ToString(), ["channel_id"] = channelId.ToString(), ["guild_id"] = GuildId.ToString() };
        }
        var message = Store.AddMessage(channelId, user.Id, fromBot: false, body, user.Username);
        var data = (JsonObject)message.Json.DeepClone();
        data["member"] = InteractionPayloads.Member(user, roles ?? []);
        data["member"]!.AsObject().Remove("user");
        if (replyToMessageId is { } replied && Store.FindMessage(replied) is { } referenced)
        {
            data["referenced_message"] = referenced.Json.DeepClone();
        }
        await Gateway.DispatchAsync("MESSAGE_CREATE", data).ConfigureAwait(false);
        return message;
    }

    /// <summary>Waits until the bot has connected and received READY (and is not mid-reconnect).</summary>
    public Task WaitForReadyAsync(TimeSpan? timeout = null) =>
        WaitForAsync(() => Gateway.CurrentConnection is not null, timeout, "the bot to connect to the gateway");

    /// <summary>Waits until the bot answered the interaction (first callback accepted).</summary>
    public async Task<JsonObject> WaitForResponseAsync(FakeInteraction interaction, TimeSpan? timeout = null)
    {
        await WaitForAsync(() => interaction.Response is not null, timeout, $"a response to {interaction}").ConfigureAwait(false);
        return interaction.Response!;
    }

    /// <summary>Waits for a condition on the fake's state, re-checking on every change; throws on timeout.</summary>
    public async Task WaitForAsync(Func<bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultWait);
        var signal = new SemaphoreSlim(0);
        void OnChanged() => signal.Release();
        Store.Changed += OnChanged;
        try
        {
            while (!predicate())
            {
                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Timed out waiting for {what ?? "a condition"} on the fake Discord.");
                }
                // Also poll: some conditions (gateway state) change without a store event.
                await signal.WaitAsync(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
            }
        }
        finally
        {
            Store.Changed -= OnChanged;
        }
    }

    private async Task<FakeInteraction> InjectAsync(ulong channelId, int type, JsonObject data, FakeUser? user, IEnumerable<ulong>? roles, FakeMessage? message)
    {
        var channel = Store.FindChannel(channelId) ?? throw new ArgumentException($"Channel {channelId} does not exist in the fake.", nameof(channelId));
        var id = Store.Ids.Next();
        var token = $"tok-{id}-{Guid.NewGuid():N}";
        var payload = InteractionPayloads.Interaction(Options, channel, id, token, type, data, user ?? FakeUser.Alice, roles ?? [], message);
        var interaction = new FakeInteraction
        {
            Id = id,
            Token = token,
            Type = type,
            ChannelId = channelId,
            Payload = payload,
            CreatedAt = Options.InteractionClock.GetUtcNow(),
            SourceMessageId = message?.Id,
        };
        Store.AddInteraction(interaction);
        await Gateway.DispatchAsync("INTERACTION_CREATE", (JsonObject)payload.DeepClone()).ConfigureAwait(false);
        return interaction;
    }

    private static JsonObject CommandData(string name, IEnumerable<JsonObject>? options)
    {
        var data = new JsonObject { ["id"] = "730000000000000001", ["name"] = name, ["type"] = 1 };
        if (options is not null)
        {
            data["options"] = new JsonArray(options.Select(o => (JsonNode)o.DeepClone()).ToArray());
        }
        return data;
    }

    private FakeMessage RequireComponent(ulong channelId, ulong messageId, string customId, int componentType, bool mayBeDisabled = false)
    {
        var message = Store.FindMessage(messageId);
        if (message is null || message.ChannelId != channelId)
        {
            throw new ArgumentException($"Message {messageId} is not in channel {channelId}.");
        }
        var component = FakeJson.Walk(message.Components).FirstOrDefault(c => FakeJson.Str(c["custom_id"]) == customId);
        if (component is null || FakeJson.Int(component["type"]) != componentType)
        {
            throw new ArgumentException($"Message {messageId} has no component of type {componentType} with custom_id '{customId}' (has: {string.Join(", ", message.CustomIds())}).");
        }
        if (!mayBeDisabled && component["disabled"]?.GetValue<bool>() == true)
        {
            throw new InvalidOperationException($"Component '{customId}' is disabled; Discord would not let a user click it.");
        }
        return message;
    }
}
