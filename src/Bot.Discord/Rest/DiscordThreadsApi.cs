using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Rest;

/// <summary>Threads: one per run, either hanging off a message or standalone (public, type 11).</summary>
public sealed class DiscordThreadsApi(DiscordHttp http)
{
    private static readonly int[] ArchiveDurations = [60, 1440, 4320, 10080];

    /// <summary>The thread's id equals the message id; a second thread on the same message gets 160004.</summary>
    public Task<Result<Channel>> StartThreadFromMessageAsync(ulong channelId, ulong messageId, StartThreadFromMessage request, CancellationToken cancellationToken = default)
    {
        if (Check(request.Name, request.AutoArchiveDuration) is { } error)
        {
            return Task.FromResult<Result<Channel>>(error);
        }
        var route = DiscordRoute.Create(HttpMethod.Post, "channels/{channel_id}/messages/{message_id}/threads", channelId, messageId);
        return http.SendAsync<Channel>(route, request, null, cancellationToken);
    }

    public Task<Result<Channel>> StartThreadAsync(ulong channelId, StartThread request, CancellationToken cancellationToken = default)
    {
        if (Check(request.Name, request.AutoArchiveDuration) is { } error)
        {
            return Task.FromResult<Result<Channel>>(error);
        }
        var route = DiscordRoute.Create(HttpMethod.Post, "channels/{channel_id}/threads", channelId);
        return http.SendAsync<Channel>(route, request, null, cancellationToken);
    }

    private static Error? Check(string name, int? autoArchive) =>
        name is not { Length: >= 1 and <= 100 } ? DiscordErrors.Validation("Thread names are 1 to 100 characters.")
        : autoArchive is { } d && !ArchiveDurations.Contains(d) ? DiscordErrors.Validation("auto_archive_duration must be 60, 1440, 4320 or 10080.")
        : null;
}
