using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

/// <summary>One REST request as the fake received it.</summary>
public sealed record FakeRequest(string Method, string Path, JsonNode? Body, int FileCount, DateTimeOffset At)
{
    public int Status { get; internal set; }
}

/// <summary>
/// The REST half of the fake. Every request goes through the same checks Discord applies (auth,
/// User-Agent, Content-Type, scripted faults, rate limits); bodies are validated against the OpenAPI
/// spec and the docs' limits before the in-memory state changes.
/// </summary>
public sealed partial class FakeRestApi(
    FakeDiscordOptions options,
    FakeDiscordStore store,
    FakeGateway gateway,
    FakeRateLimits rateLimits,
    FakeRestFaults faults,
    Action<Violation> report)
{
    private readonly List<FakeRequest> _requests = [];

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    internal async Task HandleAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? string.Empty)["/api/v10/".Length..].TrimEnd('/');
        var segments = path.Split('/');
        var method = context.Request.Method;
        var route = $"{method} /{path}";
        var isInteraction = segments[0] == "interactions" || (segments[0] == "webhooks" && segments.Length >= 3);
        var displayRoute = isInteraction ? $"{method} /{segments[0]}/..." : route;

        if (!CheckAuth(context, isInteraction))
        {
            lock (_requests)
            {
                _requests.Add(new FakeRequest(method, path, null, 0, DateTimeOffset.UtcNow) { Status = 401 });
            }
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { message = "401: Unauthorized", code = 0 }).ConfigureAwait(false);
            return;
        }
        var userAgent = context.Request.Headers.UserAgent.ToString();
        if (!userAgent.StartsWith("DiscordBot (", StringComparison.Ordinal))
        {
            report(new Violation(displayRoute, $"User-Agent must be 'DiscordBot (url, version)', got '{userAgent}'"));
        }

        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        var record = new FakeRequest(method, path, body.Json, body.Files.Count, DateTimeOffset.UtcNow);
        lock (_requests)
        {
            _requests.Add(record);
        }
        try
        {
            if (body.Problem is { } problem)
            {
                report(new Violation(displayRoute, problem));
                await ErrorAsync(context, 400, 50035, problem).ConfigureAwait(false);
                return;
            }
            if (!await ApplyFaultAsync(context, displayRoute).ConfigureAwait(false))
            {
                return;
            }
            var (hash, major) = Bucket(method, segments);
            if (!await rateLimits.AdmitAsync(context, hash, major, isInteraction).ConfigureAwait(false))
            {
                return;
            }
            await RouteAsync(context, method, segments, body, displayRoute).ConfigureAwait(false);
        }
        finally
        {
            record.Status = context.Response.StatusCode;
        }
    }

    private bool CheckAuth(HttpContext context, bool isInteraction)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return isInteraction;
        }
        return header == $"Bot {options.Token}";
    }

    /// <summary>Returns false when a fault produced the response.</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, string route)
    {
        var fault = faults.Take(context.Request);
        switch (fault?.Kind)
        {
            case null:
                return true;
            case FaultKind.Delay:
                await Task.Delay(fault.Duration, context.RequestAborted).ConfigureAwait(false);
                return true;
            case FaultKind.ConnectionReset:
                context.Abort();
                return false;
            case FaultKind.Status:
                await ErrorAsync(context, fault.Status, 0, $"{fault.Status}: scripted failure").ConfigureAwait(false);
                return false;
            case FaultKind.RateLimit:
                rateLimits.RecordInjected(route, global: false);
                FakeRateLimits.WriteHeaders(context.Response, options.BucketLimit, 0, fault.Duration, "injected");
                await FakeRateLimits.WriteTooManyAsync(context, fault.Duration, global: false, fault.Scope).ConfigureAwait(false);
                return false;
            default:
                rateLimits.RecordInjected(route, global: true);
                await FakeRateLimits.WriteTooManyAsync(context, fault.Duration, global: true, "global").ConfigureAwait(false);
                return false;
        }
    }

    private static (string? Hash, string Major) Bucket(string method, string[] s) => s switch
    {
        ["channels", var c, "messages"] => ($"msg-create-{method}", c),
        ["channels", var c, "messages", _] => ($"msg-{method}", c),
        ["channels", var c, "messages", _, "threads"] => ("threads", c),
        ["channels", var c, "threads"] => ("threads", c),
        ["channels", var c] => ($"channel-{method}", c),
        ["applications", _, "guilds", var g, "commands"] => ($"commands-{method}", g),
        ["applications", _, "commands"] => ($"commands-{method}", string.Empty),
        ["webhooks", var app, var token, ..] => ($"webhook-{method}", $"{app}/{token}"),
        ["interactions", ..] => (null, string.Empty),
        _ => ("misc", string.Empty),
    };

    private async Task RouteAsync(HttpContext context, string method, string[] s, RequestBody body, string route)
    {
        var task = (method, s) switch
        {
            ("GET", ["gateway", "bot"]) => GatewayBotAsync(context),
            ("GET", ["applications", "@me"]) => CurrentApplicationAsync(context),
            ("GET", ["users", "@me"]) => JsonAsync(context, 200, BotUser()),
            ("PUT", ["applications", var app, "commands"]) => PutCommandsAsync(context, app, "global", body, route),
            ("PUT", ["applications", var app, "guilds", var g, "commands"]) => PutCommandsAsync(context, app, g, body, route),
            ("GET", ["applications", _, "commands"]) => JsonAsync(context, 200, store.Commands("global")),
            ("GET", ["applications", _, "guilds", var g, "commands"]) => JsonAsync(context, 200, store.Commands(g)),
            ("GET", ["channels", var c]) => GetChannelAsync(context, c),
            ("POST", ["channels", var c, "messages"]) => CreateMessageAsync(context, c, body, route),
            ("GET", ["channels", var c, "messages", var m]) => GetMessageAsync(context, c, m),
            ("PATCH", ["channels", var c, "messages", var m]) => EditMessageAsync(context, c, m, body, route),
            ("DELETE", ["channels", var c, "messages", var m]) => DeleteMessageAsync(context, c, m),
            ("POST", ["channels", var c, "messages", var m, "threads"]) => ThreadFromMessageAsync(context, c, m, body, route),
            ("POST", ["channels", var c, "threads"]) => ThreadAsync(context, c, body, route),
            ("POST", ["interactions", var id, var token, "callback"]) => CallbackAsync(context, id, token, body, route),
            ("POST", ["webhooks", var app, var token]) => FollowupAsync(context, app, token, body, route),
            ("GET", ["webhooks", var app, var token, "messages", var m]) => WebhookMessageAsync(context, app, token, m, null, route),
            ("PATCH", ["webhooks", var app, var token, "messages", var m]) => WebhookMessageAsync(context, app, token, m, body, route),
            ("DELETE", ["webhooks", var app, var token, "messages", var m]) => DeleteWebhookMessageAsync(context, app, token, m),
            _ => ErrorAsync(context, 404, 0, "404: Not Found"),
        };
        await task.ConfigureAwait(false);
    }

    /// <summary>Spec + docs validation; on failure records a violation and answers 400 50035.</summary>
    private async Task<bool> ValidateAsync(HttpContext context, string route, string schema, JsonNode? json, IEnumerable<string> docsProblems)
    {
        var spec = options.ValidateAgainstSpec ? SpecValidator.Validate(schema, json).Select(p => $"spec {schema}: {p}") : [];
        var problems = spec.Concat(docsProblems).ToList();
        if (problems.Count == 0)
        {
            return true;
        }
        foreach (var problem in problems)
        {
            report(new Violation(route, problem));
        }
        await ErrorAsync(context, 400, 50035, "Invalid Form Body", string.Join("; ", problems)).ConfigureAwait(false);
        return false;
    }

    internal static Task ErrorAsync(HttpContext context, int status, int code, string message, string? detail = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["code"] = code, ["message"] = message };
        if (detail is not null)
        {
            body["errors"] = new JsonObject
            {
                ["_errors"] = new JsonArray(new JsonObject { ["code"] = "BASE_TYPE_INVALID", ["message"] = detail }),
            };
        }
        return context.Response.WriteAsync(body.ToJsonString());
    }

    internal static Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private JsonObject BotUser() => new()
    {
        ["id"] = options.BotUserId.ToString(),
        ["username"] = "fake-bot",
        ["discriminator"] = "0",
        ["bot"] = true,
    };

    private static bool TryId(string text, out ulong id) => ulong.TryParse(text, out id);
}
