using System.Text.Json;

namespace Bot.Testing.FakeLlm;

/// <summary>One tool call the fake model returns; <see cref="ArgumentsJson"/> is sent verbatim (may be malformed on purpose).</summary>
public sealed record FakeToolCall(string Name, string ArgumentsJson)
{
    public static FakeToolCall Bash(string command, string? rationale = null) => new("bash", Args(("command", command), ("rationale", rationale)));
    public static FakeToolCall Delegate(string task, string? rationale = null) => new("delegate", Args(("task", task), ("rationale", rationale)));
    public static FakeToolCall Submit(string answer, string? rationale = null) => new("submit", Args(("answer", answer), ("rationale", rationale)));

    private static string Args(params (string Key, string? Value)[] pairs) =>
        JsonSerializer.Serialize(pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
}

/// <summary>
/// What the fake server answers to one request: a chat completion (text and/or tool calls), an error
/// status (with optional Retry-After), a raw body, or no answer at all (hang until the client gives up).
/// </summary>
public sealed record FakeLlmResponse
{
    public int Status { get; init; } = 200;
    public string? Content { get; init; }
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];
    /// <summary>Sent instead of a generated completion (for malformed JSON and error bodies).</summary>
    public string? RawBody { get; init; }
    public string? RetryAfter { get; init; }
    public TimeSpan Delay { get; init; }
    /// <summary>Never answer; the request ends only when the client cancels it.</summary>
    public bool Hang { get; init; }
    public int PromptTokens { get; init; } = 11;
    public int CompletionTokens { get; init; } = 7;

    public static FakeLlmResponse Text(string content) => new() { Content = content };
    public static FakeLlmResponse Tool(FakeToolCall call, string? content = null) => new() { ToolCalls = [call], Content = content };
    public static FakeLlmResponse Malformed(string body = "{\"choices\": [ {\"message\": ") => new() { RawBody = body };
    public static FakeLlmResponse TooManyRequests(string retryAfter = "1") => new() { Status = 429, RetryAfter = retryAfter, RawBody = "{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit\"}}" };
    public static FakeLlmResponse ServerError(int status = 500) => new() { Status = status, RawBody = "{\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\"}}" };
    public static FakeLlmResponse Hanging() => new() { Hang = true };
}

/// <summary>A request the fake server received, parsed for assertions.</summary>
public sealed record FakeLlmRequest(
    string Path,
    string Body,
    string? Authorization,
    string? Model,
    bool Stream,
    double? Temperature,
    int? MaxTokens,
    IReadOnlyList<string> ToolNames,
    string? ToolChoice,
    IReadOnlyList<(string Role, string Content)> Messages)
{
    public string AllText => string.Join("\n", Messages.Select(m => m.Content));
    public string LastUserMessage => Messages.LastOrDefault(m => m.Role == "user").Content ?? "";
}
