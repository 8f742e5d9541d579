using Bot.Core.Results;
using Bot.Discord.Api;

namespace Bot.Discord.Rest;

/// <summary>Bulk overwrite of slash commands (guild ones apply at once; use them in development).</summary>
public sealed class DiscordCommandsApi(DiscordHttp http, DiscordApplicationApi application)
{
    public async Task<Result<IReadOnlyList<ApplicationCommand>>> OverwriteGlobalCommandsAsync(IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken = default)
    {
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        return await SendAsync(DiscordRoute.Create(HttpMethod.Put, "applications/{application_id}/commands", appId.Value), commands, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Result<IReadOnlyList<ApplicationCommand>>> OverwriteGuildCommandsAsync(ulong guildId, IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken = default)
    {
        var appId = await application.GetApplicationIdAsync(cancellationToken).ConfigureAwait(false);
        if (!appId.IsSuccess)
        {
            return appId.Error!;
        }
        return await SendAsync(DiscordRoute.Create(HttpMethod.Put, "applications/{application_id}/guilds/{guild_id}/commands", appId.Value, guildId), commands, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Result<IReadOnlyList<ApplicationCommand>>> SendAsync(DiscordRoute route, IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken)
    {
        if (commands.FirstOrDefault(c => !IsValidName(c.Name) || (c.Type == 1 && c.Description is not { Length: >= 1 and <= 100 })) is { } bad)
        {
            return DiscordErrors.Validation($"Command '{bad.Name}': names are 1-32 lowercase letters, digits, '-' or '_'; descriptions 1-100 characters.");
        }
        var result = await http.SendAsync<List<ApplicationCommand>>(route, commands, null, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? result.Value : result.Error!;
    }

    private static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 32 && name.All(ch => ch is '-' or '_' or '\'' || (char.IsLetterOrDigit(ch) && !char.IsUpper(ch)));
}
