using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Rest;

/// <summary>Channel messages: create, edit, get (JSON, or multipart when files are attached).</summary>
public sealed class DiscordMessagesApi(DiscordHttp http)
{
    public Task<Result<Message>> CreateMessageAsync(ulong channelId, MessageCreate message, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default)
    {
        if (MessageValidator.Validate(message, files?.Count ?? 0) is { } error)
        {
            return Task.FromResult<Result<Message>>(error);
        }
        var route = DiscordRoute.Create(HttpMethod.Post, "channels/{channel_id}/messages", channelId);
        return http.SendAsync<Message>(route, message, files, cancellationToken);
    }

    public Task<Result<Message>> EditMessageAsync(ulong channelId, ulong messageId, MessageEdit edit, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default)
    {
        if (MessageValidator.Validate(edit, files?.Count ?? 0) is { } error)
        {
            return Task.FromResult<Result<Message>>(error);
        }
        var route = DiscordRoute.Create(HttpMethod.Patch, "channels/{channel_id}/messages/{message_id}", channelId, messageId);
        return http.SendAsync<Message>(route, edit, files, cancellationToken);
    }

    public Task<Result<Message>> GetMessageAsync(ulong channelId, ulong messageId, CancellationToken cancellationToken = default) =>
        http.SendAsync<Message>(
            DiscordRoute.Create(HttpMethod.Get, "channels/{channel_id}/messages/{message_id}", channelId, messageId),
            null, null, cancellationToken);
}
