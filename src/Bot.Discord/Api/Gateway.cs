using System.Text.Json;

namespace Bot.Discord.Api;

public static class GatewayOpcode
{
    public const int Dispatch = 0;
    public const int Heartbeat = 1;
    public const int Identify = 2;
    public const int Resume = 6;
    public const int Reconnect = 7;
    public const int InvalidSession = 9;
    public const int Hello = 10;
    public const int HeartbeatAck = 11;
}

/// <summary>The gateway envelope <c>{op, d, s, t}</c>.</summary>
public sealed record GatewayPayload(int Op, JsonElement? D = null, int? S = null, string? T = null);

/// <summary>A dispatch (op 0) as handed to consumers: event name, sequence, raw data.</summary>
public sealed record GatewayDispatch(string Name, int Sequence, JsonElement Data)
{
    /// <summary>When this process received it (<see cref="System.Diagnostics.Stopwatch"/> ticks), to measure queueing.</summary>
    public long ReceivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public T? As<T>() => DiscordJson.Deserialize<T>(Data);
}

public sealed record SessionStartLimit(int Total, int Remaining, long ResetAfter, int MaxConcurrency);

public sealed record GatewayBot(string Url, int Shards, SessionStartLimit? SessionStartLimit);

public sealed record Hello(int HeartbeatInterval);

public sealed record IdentifyProperties(string Os, string Browser, string Device);

public sealed record Identify(string Token, int Intents, IdentifyProperties Properties, IReadOnlyList<int>? Shard = null, int? LargeThreshold = null);

public sealed record Resume(string Token, string SessionId, int Seq);

public sealed record ReadyApplication(ulong Id, long? Flags = null);

public sealed record Ready
{
    public int V { get; init; }
    public required string SessionId { get; init; }
    public required string ResumeGatewayUrl { get; init; }
    public User? User { get; init; }
    public ReadyApplication? Application { get; init; }
}

/// <summary>The application as returned by <c>GET /applications/@me</c>.</summary>
public sealed record Application
{
    public required ulong Id { get; init; }
    public string? Name { get; init; }
    public long? Flags { get; init; }
    public User? Bot { get; init; }
}

/// <summary>Discord's error body <c>{code, message, errors?}</c>.</summary>
public sealed record DiscordErrorBody(int Code, string? Message, JsonElement? Errors = null);

/// <summary>The 429 body <c>{message, retry_after, global, code?}</c>.</summary>
public sealed record RateLimitBody(string? Message, double RetryAfter, bool Global, int? Code = null);
