using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Rest;

/// <summary>
/// Interaction callbacks and the interaction webhook (follow-ups, <c>@original</c>). These routes
/// skip the global cap and have per-interaction buckets, so they never queue behind other routes.
/// </summary>
public sealed class DiscordInteractionsApi(DiscordHttp http, DiscordApplicationApi application)
{
    /// <summary>The first answer, due within 3 s. With <paramref name="withResponse"/> Discord returns the created resource.</summary>
    public async Task<Result<InteractionCallbackResult?>> RespondAsync(ulong interactionId, string token, InteractionResponse response, bool withResponse = false, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default)
    {
        if (MessageValidator.Validate(response, files?.Count ?? 0) is { } error)
        {
            return error;
        }
        var route = DiscordRoute.Create(HttpMethod.Post, "interactions/{interaction_id}/{interaction_token}/callback", interactionId, token);
        if (withResponse)
        {
            route = route.WithQuery("with_response=true");
        }
        var raw = await http.SendRawAsync(route, response, files, cancellationToken).ConfigureAwait(false);
        if (!raw.IsSuccess)
        {
            return raw.Error!;
        }
        return string.IsNullOrWhiteSpace(raw.Value) ? null : DiscordJson.Deserialize<InteractionCallbackResult>(raw.Value);
    }

    public async Task<Result<Message>> CreateFollowupAsync(string token, MessageCreate message, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default)
    {
        if (MessageValidator.Validate(message, files?.Count ?? 0) is { } error)
        {
            return error;
        }
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        var route = DiscordRoute.Create(HttpMethod.Post, "webhooks/{application_id}/{interaction_token}", appId.Value, token).WithQuery("wait=true");
        return await http.SendAsync<Message>(route, message, files, cancellationToken).ConfigureAwait(false);
    }

    public Task<Result<Message>> EditOriginalAsync(string token, MessageEdit edit, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default) =>
        EditAsync(token, "@original", edit, files, cancellationToken);

    public Task<Result<Message>> EditFollowupAsync(string token, ulong messageId, MessageEdit edit, IReadOnlyList<FileUpload>? files = null, CancellationToken cancellationToken = default) =>
        EditAsync(token, messageId.ToString(System.Globalization.CultureInfo.InvariantCulture), edit, files, cancellationToken);

    public async Task<Result<Message>> GetOriginalAsync(string token, CancellationToken cancellationToken = default)
    {
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        var route = DiscordRoute.Create(HttpMethod.Get, "webhooks/{application_id}/{interaction_token}/messages/{message_id}", appId.Value, token, "@original");
        return await http.SendAsync<Message>(route, null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Result> DeleteOriginalAsync(string token, CancellationToken cancellationToken = default)
    {
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        var route = DiscordRoute.Create(HttpMethod.Delete, "webhooks/{application_id}/{interaction_token}/messages/{message_id}", appId.Value, token, "@original");
        return await http.SendAsync(route, null, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Result<Message>> EditAsync(string token, string messageId, MessageEdit edit, IReadOnlyList<FileUpload>? files, CancellationToken cancellationToken)
    {
        if (MessageValidator.Validate(edit, files?.Count ?? 0) is { } error)
        {
            return error;
        }
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        var route = DiscordRoute.Create(HttpMethod.Patch, "webhooks/{application_id}/{interaction_token}/messages/{message_id}", appId.Value, token, messageId);
        return await http.SendAsync<Message>(route, edit, files, cancellationToken).ConfigureAwait(false);
    }
}
