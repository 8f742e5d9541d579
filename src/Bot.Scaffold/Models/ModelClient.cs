using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Net;
using Bot.Core.Ports;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using ChatTokenUsage = OpenAI.Chat.ChatTokenUsage;
using Bot.Core.Text;

namespace Bot.Scaffold.Models;

/// <summary>
/// Calls a named model profile through Semantic Kernel's OpenAI connector with a per-profile
/// concurrency limit, a per-attempt timeout and bounded retries on 429 (honouring Retry-After),
/// 5xx and timeouts. Expected failures come back as <see cref="ModelFailure"/>, never as exceptions.
/// </summary>
public sealed class ModelClient : IDisposable
{
    private readonly ModelsOptions _models;
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelClient> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new(StringComparer.OrdinalIgnoreCase);

    public ModelClient(IOptions<ModelsOptions> models, IOptions<ScaffoldOptions> scaffold, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _models = models.Value;
        _retry = scaffold.Value.Retry;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ModelClient>();
    }

    public bool HasProfile(string profile) => _models.Profiles.ContainsKey(profile);

    /// <summary>Sampling settings of the profile, with tools offered when <paramref name="tools"/> is given.</summary>
    public OpenAIPromptExecutionSettings CreateSettings(string profile, IEnumerable<KernelFunction>? tools = null)
    {
        // An unknown profile gets neutral settings; CompleteAsync then reports it as a failure.
        var p = _models.Profiles.TryGetValue(profile, out var configured) ? configured : new ModelProfile();
        return new OpenAIPromptExecutionSettings
        {
            ModelId = p.ModelId,
            Temperature = p.Temperature,
            MaxTokens = p.MaxTokens,
            // autoInvoke: false — the scaffold only proposes actions; humans or the judge decide later.
            FunctionChoiceBehavior = tools is null ? null : FunctionChoiceBehavior.Auto(tools, autoInvoke: false),
        };
    }

    public async Task<ModelOutcome> CompleteAsync(string profile, ChatHistory history, OpenAIPromptExecutionSettings settings, CancellationToken cancellationToken = default)
    {
        if (!_models.Profiles.ContainsKey(profile))
        {
            return new ModelFailure("model.unknown_profile", $"No model profile '{profile}' is configured (Models:{profile}:Endpoint, ModelId).", false, Zero(profile, TimeSpan.Zero));
        }

        var endpoint = _endpoints.GetOrAdd(profile, CreateEndpoint);
        var started = _time.GetTimestamp();
        ModelFailure? last = null;
        for (var attempt = 1; attempt <= _retry.MaxAttempts; attempt++)
        {
            TimeSpan? wait;
            await endpoint.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(endpoint.Profile.TimeoutSeconds), _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    var message = await endpoint.Service.GetChatMessageContentAsync(history, settings, kernel: EmptyKernel, linked.Token).ConfigureAwait(false);
                    return new ModelReply(message, UsageOf(profile, message, _time.GetElapsedTime(started)));
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = new ModelFailure("model.timeout", $"The model did not answer within {endpoint.Profile.TimeoutSeconds} s (attempt {attempt}).", true, Zero(profile, _time.GetElapsedTime(started)));
                    wait = Backoff(attempt);
                }
                catch (HttpOperationException ex)
                {
                    (last, wait) = Classify(profile, ex, attempt, started);
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
                {
                    // A 200 whose body is not a chat completion: the endpoint is not (fully) OpenAI-compatible
                    // or produced garbage. Not retried: the sample fails visibly instead.
                    last = new ModelFailure("model.bad_response", $"The model endpoint's response could not be read: {Shorten(ex.Message)}", true, Zero(profile, _time.GetElapsedTime(started)));
                    wait = null;
                }
            }
            finally
            {
                endpoint.Gate.Release();
            }

            _logger.LogWarning("Model call to {Profile} failed on attempt {Attempt}: {Code} {Reason}", profile, attempt, last.Code, last.Message);
            if (wait is null || attempt == _retry.MaxAttempts)
            {
                break;
            }
            await Task.Delay(wait.Value, _time, cancellationToken).ConfigureAwait(false);
        }

        return last! with { Usage = Zero(profile, _time.GetElapsedTime(started)) };
    }

    private (ModelFailure Failure, TimeSpan? Wait) Classify(string profile, HttpOperationException ex, int attempt, long started)
    {
        var elapsed = Zero(profile, _time.GetElapsedTime(started));
        var status = ex.StatusCode;
        if (status == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = RetryAfterOf(ex);
            if (retryAfter is { } ra && ra > TimeSpan.FromSeconds(_retry.MaxRetryAfterSeconds))
            {
                return (new ModelFailure("model.rate_limited", $"Rate limited; Retry-After {ra.TotalSeconds:0} s exceeds the {_retry.MaxRetryAfterSeconds} s limit.", true, elapsed), null);
            }
            return (new ModelFailure("model.rate_limited", "Rate limited by the model endpoint (429).", true, elapsed), retryAfter ?? Backoff(attempt));
        }
        if (status is null || (int)status.Value >= 500 || status == HttpStatusCode.RequestTimeout)
        {
            var what = status is null ? "no HTTP status (connection failed or the response was unreadable)" : $"HTTP {(int)status.Value}";
            return (new ModelFailure("model.unavailable", $"The model endpoint failed: {what}: {Shorten(ex.Message)}", true, elapsed), Backoff(attempt));
        }
        return (new ModelFailure("model.rejected", $"The model endpoint rejected the request: HTTP {(int)status.Value}: {Shorten(ex.ResponseContent ?? ex.Message)}", false, elapsed), null);
    }

    private TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(_retry.BaseDelayMilliseconds * Math.Pow(2, attempt - 1));

    /// <summary>SK wraps the OpenAI SDK's exception; the raw response (and its headers) is on the inner one.</summary>
    private TimeSpan? RetryAfterOf(HttpOperationException ex)
    {
        if (ex.InnerException is not ClientResultException inner || inner.GetRawResponse() is not { } response)
        {
            return null;
        }
        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (int.TryParse(value.Trim(), out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var when))
        {
            var delta = when - _time.GetUtcNow();
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }
        return null;
    }

    private static ModelUsage UsageOf(string profile, ChatMessageContent message, TimeSpan latency)
    {
        if (message.Metadata is { } metadata && metadata.TryGetValue("Usage", out var raw) && raw is ChatTokenUsage usage)
        {
            return new ModelUsage(profile, usage.InputTokenCount, usage.OutputTokenCount, latency);
        }
        return new ModelUsage(profile, 0, 0, latency);
    }

    private static ModelUsage Zero(string profile, TimeSpan latency) => new(profile, 0, 0, latency);

    private static string Shorten(string text) => SafeText.Cut(text, 301);

    private ModelProfile GetProfile(string profile) =>
        _models.Profiles.TryGetValue(profile, out var p) ? p : throw new InvalidOperationException($"No model profile '{profile}' is configured.");

    private Endpoint CreateEndpoint(string profile)
    {
        var p = GetProfile(profile);
        // Our own HttpClient without a timeout of its own (the per-attempt token is the timeout), and
        // the OpenAI SDK's retries off, so the bounded retries above are the only ones.
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan, BaseAddress = p.Endpoint };
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = p.Endpoint,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        // Local servers (Ollama, vLLM, LM Studio) accept any key; the SDK insists on a non-empty one.
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(p.ApiKey) ? "unused" : p.ApiKey), clientOptions);
        var service = new OpenAIChatCompletionService(p.ModelId, client, _loggerFactory);
        return new Endpoint(p, service, http, new SemaphoreSlim(p.MaxConcurrency, p.MaxConcurrency));
    }

    private static readonly Kernel EmptyKernel = new();

    public void Dispose()
    {
        foreach (var e in _endpoints.Values)
        {
            e.Http.Dispose();
            e.Gate.Dispose();
        }
    }

    private sealed record Endpoint(ModelProfile Profile, IChatCompletionService Service, HttpClient Http, SemaphoreSlim Gate);
}
