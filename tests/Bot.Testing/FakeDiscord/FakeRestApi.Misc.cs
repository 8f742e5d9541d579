using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

public sealed partial class FakeRestApi
{
    private Task GatewayBotAsync(HttpContext context) => JsonAsync(context, 200, new JsonObject
    {
        ["url"] = $"{gateway.WebSocketBase}/gw",
        ["shards"] = options.MinimumShardCount,
        ["session_start_limit"] = new JsonObject
        {
            ["total"] = 1000,
            ["remaining"] = options.SessionStartRemaining ?? Math.Max(0, 1000 - gateway.IdentifyCount),
            ["reset_after"] = options.SessionStartResetAfterMs,
            ["max_concurrency"] = options.SessionMaxConcurrency,
        },
    });

    private Task CurrentApplicationAsync(HttpContext context) => JsonAsync(context, 200, new JsonObject
    {
        ["id"] = options.ApplicationId.ToString(),
        ["name"] = "Fake App",
        ["description"] = string.Empty,
        ["flags"] = 0,
        ["bot_public"] = false,
        ["bot_require_code_grant"] = false,
        ["verify_key"] = "00",
        ["bot"] = BotUser(),
    });

    private async Task PutCommandsAsync(HttpContext context, string app, string scope, RequestBody body, string route)
    {
        if (app != options.ApplicationId.ToString())
        {
            await ErrorAsync(context, 403, 50001, "Missing Access").ConfigureAwait(false);
            return;
        }
        if (body.Json is not JsonArray commands)
        {
            report(new Violation(route, "bulk overwrite needs a JSON array of commands"));
            await ErrorAsync(context, 400, 50035, "Invalid Form Body").ConfigureAwait(false);
            return;
        }
        var problems = DocsLimits.CheckCommands(commands);
        if (commands.Count > 130)
        {
            problems.Add($"{commands.Count} commands; a bulk overwrite takes at most 130");
        }
        var specProblems = commands.SelectMany((c, i) => SpecValidator.Validate("ApplicationCommandUpdateRequest", c).Select(p => $"spec [{i}]: {p}"));
        if (!await ValidateAsync(context, route, "ApplicationCommandUpdateRequest", commands.FirstOrDefault() ?? new JsonObject { ["name"] = "x", ["description"] = "x" }, problems.Concat(specProblems).Distinct()).ConfigureAwait(false))
        {
            return;
        }
        var stored = new JsonArray();
        foreach (var command in commands.OfType<JsonObject>())
        {
            var copy = (JsonObject)command.DeepClone();
            copy["id"] = store.Ids.Next().ToString();
            copy["application_id"] = options.ApplicationId.ToString();
            copy["version"] = store.Ids.Next().ToString();
            copy["type"] ??= 1;
            copy["default_member_permissions"] = command["default_member_permissions"]?.ToString();
            if (scope != "global")
            {
                copy["guild_id"] = scope;
            }
            stored.Add(copy);
        }
        store.SetCommands(scope, stored);
        await JsonAsync(context, 200, stored.DeepClone()).ConfigureAwait(false);
    }
}
