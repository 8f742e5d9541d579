using Microsoft.AspNetCore.Http;

namespace Bot.Testing.FakeDiscord;

public enum FaultKind
{
    Status,
    RateLimit,
    GlobalRateLimit,
    Delay,
    ConnectionReset,
}

/// <summary>A scripted REST fault applied to the next <c>Count</c> requests whose route matches.</summary>
public sealed class RestFault
{
    public required FaultKind Kind { get; init; }
    public required Func<HttpRequest, bool> Matches { get; init; }
    public int Status { get; init; } = 500;
    public TimeSpan Duration { get; init; } = TimeSpan.FromMilliseconds(200);
    public string Scope { get; init; } = "user";
    public int Remaining { get; set; } = 1;
}

/// <summary>The queue of scripted faults; the first matching one with uses left wins.</summary>
public sealed class FakeRestFaults
{
    private readonly List<RestFault> _faults = [];

    public void Add(RestFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    public RestFault? Take(HttpRequest request)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Matches(request));
            if (fault is not null)
            {
                fault.Remaining--;
            }
            return fault;
        }
    }

    /// <summary>Matches a path (after <c>/api/v10/</c>) by method and a substring, e.g. <c>("PATCH", "/messages/")</c>.</summary>
    public static Func<HttpRequest, bool> Route(string method, string pathContains) =>
        r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)
             && (r.Path.Value ?? string.Empty).Contains(pathContains, StringComparison.Ordinal);
}
