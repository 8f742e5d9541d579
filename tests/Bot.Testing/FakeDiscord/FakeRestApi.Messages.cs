using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

public sealed partial class FakeRestApi
{
    private async Task CreateMessageAsync(HttpContext context, string channelText, RequestBody body, string route)
    {
        if (!TryId(channelText, out var channelId) || store.FindChannel(channelId) is null)
        {
            await ErrorAsync(context, 404, 10003, "Unknown Channel").ConfigureAwait(false);
            return;
        }
        var json = body.Json as JsonObject ?? [];
        if (!await ValidateAsync(context, route, "MessageCreateRequest", json, MessageProblems(json, body, isEdit: false)).ConfigureAwait(false))
        {
            return;
        }
        if (IsEmpty(json) && body.Files.Count == 0)
        {
            report(new Violation(route, "empty message (no content, embeds, components or files)"));
            await ErrorAsync(context, 400, 50006, "Cannot send an empty message").ConfigureAwait(false);
            return;
        }
        // enforce_nonce makes a retried create idempotent: the same nonce returns the first message.
        if (json["enforce_nonce"]?.GetValue<bool>() == true && json["nonce"] is { } nonce)
        {
            var existing = store.MessagesIn(channelId).FirstOrDefault(m => m.FromBot && m.Json["nonce"]?.ToJsonString() == nonce.ToJsonString());
            if (existing is not null)
            {
                await JsonAsync(context, 200, existing.Json.DeepClone()).ConfigureAwait(false);
                return;
            }
        }
        var message = store.AddMessage(channelId, options.BotUserId, fromBot: true, WithAttachments(json, body));
        StoreFiles(message, body);
        await AnnounceMessageAsync(message, created: true).ConfigureAwait(false);
        await JsonAsync(context, 200, message.Json.DeepClone()).ConfigureAwait(false);
    }

    private async Task GetMessageAsync(HttpContext context, string channelText, string messageText)
    {
        if (FindMessage(channelText, messageText) is not { } message)
        {
            await ErrorAsync(context, 404, 10008, "Unknown Message").ConfigureAwait(false);
            return;
        }
        await JsonAsync(context, 200, message.Json.DeepClone()).ConfigureAwait(false);
    }

    private async Task EditMessageAsync(HttpContext context, string channelText, string messageText, RequestBody body, string route)
    {
        if (FindMessage(channelText, messageText) is not { } message)
        {
            await ErrorAsync(context, 404, 10008, "Unknown Message").ConfigureAwait(false);
            return;
        }
        if (!message.FromBot)
        {
            await ErrorAsync(context, 403, 50005, "Cannot edit a message authored by another user").ConfigureAwait(false);
            return;
        }
        var json = body.Json as JsonObject ?? [];
        if (!await ValidateAsync(context, route, "MessageEditRequestPartial", json, MessageProblems(json, body, isEdit: true, message)).ConfigureAwait(false))
        {
            return;
        }
        store.EditMessage(message, WithAttachments(json, body));
        StoreFiles(message, body);
        await AnnounceMessageAsync(message, created: false).ConfigureAwait(false);
        await JsonAsync(context, 200, message.Json.DeepClone()).ConfigureAwait(false);
    }

    private async Task DeleteMessageAsync(HttpContext context, string channelText, string messageText)
    {
        if (FindMessage(channelText, messageText) is not { } message)
        {
            await ErrorAsync(context, 404, 10008, "Unknown Message").ConfigureAwait(false);
            return;
        }
        store.DeleteMessage(message.Id);
        context.Response.StatusCode = 204;
    }

    private async Task ThreadFromMessageAsync(HttpContext context, string channelText, string messageText, RequestBody body, string route)
    {
        if (FindMessage(channelText, messageText) is not { } message)
        {
            await ErrorAsync(context, 404, 10008, "Unknown Message").ConfigureAwait(false);
            return;
        }
        var json = body.Json as JsonObject ?? [];
        if (!await ValidateAsync(context, route, "CreateTextThreadWithMessageRequest", json, []).ConfigureAwait(false))
        {
            return;
        }
        if (message.ThreadId is not null || store.FindChannel(message.Id) is not null)
        {
            await ErrorAsync(context, 400, 160004, "A thread has already been created for this message").ConfigureAwait(false);
            return;
        }
        var thread = store.AddChannel(FakeJson.Str(json["name"]) ?? "thread", 11, message.ChannelId, id: message.Id, ownerId: options.BotUserId);
        message.ThreadId = thread.Id;
        await AnnounceThreadAsync(thread).ConfigureAwait(false);
        await JsonAsync(context, 201, thread.ToJson(options.GuildId)).ConfigureAwait(false);
    }

    private async Task ThreadAsync(HttpContext context, string channelText, RequestBody body, string route)
    {
        if (!TryId(channelText, out var channelId) || store.FindChannel(channelId) is null)
        {
            await ErrorAsync(context, 404, 10003, "Unknown Channel").ConfigureAwait(false);
            return;
        }
        var json = body.Json as JsonObject ?? [];
        if (!await ValidateAsync(context, route, "CreateTextThreadWithoutMessageRequest", json, []).ConfigureAwait(false))
        {
            return;
        }
        // Discord's default for this route is a private thread (12), which is rarely what a bot wants.
        var type = FakeJson.Int(json["type"]) ?? 12;
        var thread = store.AddChannel(FakeJson.Str(json["name"]) ?? "thread", type, channelId, ownerId: options.BotUserId);
        await AnnounceThreadAsync(thread).ConfigureAwait(false);
        await JsonAsync(context, 201, thread.ToJson(options.GuildId)).ConfigureAwait(false);
    }

    private async Task GetChannelAsync(HttpContext context, string channelText)
    {
        if (!TryId(channelText, out var channelId) || store.FindChannel(channelId) is not { } channel)
        {
            await ErrorAsync(context, 404, 10003, "Unknown Channel").ConfigureAwait(false);
            return;
        }
        await JsonAsync(context, 200, channel.ToJson(options.GuildId)).ConfigureAwait(false);
    }

    private async Task AnnounceThreadAsync(FakeChannel thread)
    {
        if (gateway.CurrentSessionId is null)
        {
            return;
        }
        var data = thread.ToJson(options.GuildId);
        data["newly_created"] = true;
        await gateway.DispatchAsync("THREAD_CREATE", data).ConfigureAwait(false);
    }

    /// <summary>Like Discord, echo the bot's own messages as MESSAGE_CREATE/UPDATE when GUILD_MESSAGES is on.</summary>
    private async Task AnnounceMessageAsync(FakeMessage message, bool created)
    {
        if (gateway.CurrentSessionId is null || (gateway.CurrentIntents & 512) == 0 || (message.Flags & 64) != 0)
        {
            return;
        }
        await gateway.DispatchAsync(created ? "MESSAGE_CREATE" : "MESSAGE_UPDATE", (JsonObject)message.Json.DeepClone()).ConfigureAwait(false);
    }

    private FakeMessage? FindMessage(string channelText, string messageText) =>
        TryId(channelText, out var channelId) && TryId(messageText, out var messageId)
        && store.FindMessage(messageId) is { } message && message.ChannelId == channelId
            ? message
            : null;

    private IEnumerable<string> MessageProblems(JsonObject json, RequestBody body, bool isEdit, FakeMessage? existing = null)
    {
        var problems = DocsLimits.CheckMessage(json, options.RequireNoMentions, isEdit);
        if (existing is not null && (existing.Flags & (1 << 15)) != 0 && json["flags"] is { } flags && ((FakeJson.Int(flags) ?? 0) & (1 << 15)) == 0)
        {
            problems.Add("IS_COMPONENTS_V2 can never be removed from a message");
        }
        return problems;
    }

    private static bool IsEmpty(JsonObject json) =>
        string.IsNullOrEmpty(FakeJson.Str(json["content"]))
        && json["embeds"] is not JsonArray { Count: > 0 }
        && json["components"] is not JsonArray { Count: > 0 }
        && json["sticker_ids"] is not JsonArray { Count: > 0 }
        && json["poll"] is null;

    /// <summary>Turns request attachment entries into stored attachments with ids and URLs.</summary>
    private JsonObject WithAttachments(JsonObject json, RequestBody body)
    {
        if (json["attachments"] is not JsonArray attachments)
        {
            return json;
        }
        var copy = (JsonObject)json.DeepClone();
        var stored = new JsonArray();
        foreach (var entry in attachments.OfType<JsonObject>())
        {
            var id = entry["id"]?.ToString() ?? "0";
            var file = body.Files.FirstOrDefault(f => f.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == id);
            var attachmentId = file.Data is null ? id : store.Ids.Next().ToString();
            var filename = FakeJson.Str(entry["filename"]) ?? file.FileName ?? "file";
            stored.Add(new JsonObject
            {
                ["id"] = attachmentId,
                ["filename"] = filename,
                ["description"] = entry["description"]?.DeepClone(),
                ["size"] = file.Data?.Length ?? 0,
                ["url"] = $"https://cdn.fake/attachments/{attachmentId}/{filename}",
                ["proxy_url"] = $"https://media.fake/attachments/{attachmentId}/{filename}",
            });
        }
        copy["attachments"] = stored;
        return copy;
    }

    private static void StoreFiles(FakeMessage message, RequestBody body)
    {
        foreach (var (_, fileName, data) in body.Files)
        {
            message.Files[fileName] = data;
        }
    }
}
