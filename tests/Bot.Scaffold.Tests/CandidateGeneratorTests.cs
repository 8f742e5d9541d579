using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Testing.FakeLlm;

namespace Bot.Scaffold.Tests;

public sealed class CandidateGeneratorTests
{
    [Fact]
    public async Task Three_candidates_come_from_three_requests_in_flight_at_the_same_time()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        // Each request is held until all three are in flight; sequential requests would never get past it.
        h.Fake.HoldUntilConcurrent(3);
        h.Fake.Enqueue(
            FakeLlmResponse.Tool(FakeToolCall.Bash("ls -la", "see what is there")),
            FakeLlmResponse.Tool(FakeToolCall.Bash("find archive -type f", "list all files")),
            FakeLlmResponse.Tool(FakeToolCall.Bash("grep -rn PASSWORD archive", "search directly")));

        var samples = await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 3);

        Assert.Equal(3, h.Fake.MaxConcurrentRequests);
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.Null(s.FailureReason));
        Assert.Equal(
            ["find archive -type f", "grep -rn PASSWORD archive", "ls -la"],
            samples.Select(s => s.Candidate!.Text).Order());
        Assert.All(samples, s => Assert.Equal(new ActorId("model:test"), s.Candidate!.Author));
        Assert.All(samples, s => Assert.Equal((11, 7), (s.Usage.PromptTokens, s.Usage.CompletionTokens)));
    }

    [Fact]
    public async Task Requests_offer_the_three_tools_with_the_profile_settings_and_without_streaming()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(FakeLlmResponse.Tool(FakeToolCall.Submit("42")));

        await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1);

        var request = Assert.Single(h.Fake.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.False(request.Stream);
        Assert.Equal("fake-model-1", request.Model);
        Assert.Equal(0.9, request.Temperature!.Value, 3);
        Assert.Equal(333, request.MaxTokens);
        Assert.Equal("Bearer sk-test-not-a-secret", request.Authorization);
        Assert.Equal(["bash", "delegate", "submit"], request.ToolNames.Order());
        Assert.Equal("system", request.Messages[0].Role);
        Assert.Contains("Find the password hidden under archive/", request.LastUserMessage);
        Assert.Contains("Look in hidden folders.", request.LastUserMessage);
    }

    [Fact]
    public async Task Tool_calls_become_candidates_of_their_kind_with_a_rationale()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(
            FakeLlmResponse.Tool(FakeToolCall.Delegate("Count the primes below 50000.", "independent part")),
            FakeLlmResponse.Tool(FakeToolCall.Submit("violet-anchor-42"), content: "I found it in the hidden folder."));

        var samples = await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 2);

        var delegation = Assert.Single(samples, s => s.Candidate?.Kind == CandidateKind.Delegate).Candidate!;
        Assert.Equal("Count the primes below 50000.", delegation.Text);
        Assert.Equal("independent part", delegation.Rationale);
        var submit = Assert.Single(samples, s => s.Candidate?.Kind == CandidateKind.Submit).Candidate!;
        Assert.Equal("violet-anchor-42", submit.Text);
        Assert.Equal("I found it in the hidden folder.", submit.Rationale);
    }

    [Fact]
    public async Task Plain_text_replies_in_the_documented_format_are_parsed_when_no_tool_is_called()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(FakeLlmResponse.Text("RATIONALE: search all files at once\nACTION: bash\n```bash\ngrep -rn 'PASSWORD=' archive | head\n```\n"));

        var sample = Assert.Single(await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1));

        Assert.Null(sample.FailureReason);
        Assert.Equal(CandidateKind.Bash, sample.Candidate!.Kind);
        Assert.Equal("grep -rn 'PASSWORD=' archive | head", sample.Candidate.Text);
        Assert.Equal("search all files at once", sample.Candidate.Rationale);
    }

    [Fact]
    public async Task Identical_candidates_are_merged_into_one_that_counts_its_samples()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(
            FakeLlmResponse.Tool(FakeToolCall.Bash("ls -la", "first")),
            FakeLlmResponse.Tool(FakeToolCall.Bash("ls -la  ", "second")),
            FakeLlmResponse.Text("ACTION: bash\n```\nls -la\n```"),
            FakeLlmResponse.Tool(FakeToolCall.Bash("pwd")));

        var samples = await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 4);

        Assert.Equal(2, samples.Count);
        var merged = Assert.Single(samples, s => s.Candidate!.Text.Trim() == "ls -la");
        Assert.Equal(3, merged.Samples);
        Assert.Equal(33, merged.Usage.PromptTokens);
        Assert.Equal(1, Assert.Single(samples, s => s.Candidate!.Text == "pwd").Samples);
    }

    [Fact]
    public async Task Malformed_or_empty_output_becomes_a_visible_failed_sample()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-BODY"), FakeLlmResponse.Malformed());
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-PROSE"), FakeLlmResponse.Text("I think we should look around first."));
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-ARGS"), FakeLlmResponse.Tool(new FakeToolCall("bash", "{\"command\": \"ls")));
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-TOOL"), FakeLlmResponse.Tool(new FakeToolCall("rm_rf", "{}")));
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-EMPTY"), FakeLlmResponse.Text(""));
        h.Fake.When(r => r.LastUserMessage.Contains("CASE-NOARG"), FakeLlmResponse.Tool(new FakeToolCall("bash", "{\"rationale\": \"x\"}")));
        var generator = h.Get<ICandidateGenerator>();

        foreach (var (marker, expected) in new[]
        {
            ("CASE-BODY", "model."), ("CASE-PROSE", "ACTION"), ("CASE-ARGS", "malformed arguments"),
            ("CASE-TOOL", "unknown tool 'rm_rf'"), ("CASE-EMPTY", "neither a tool call nor text"), ("CASE-NOARG", "no 'command' argument"),
        })
        {
            var context = ScaffoldHarness.Context() with { TaskInstructions = marker };
            var sample = Assert.Single(await generator.GenerateAsync(context, 1));
            Assert.Null(sample.Candidate);
            Assert.Contains(expected, sample.FailureReason);
        }
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_then_succeeds()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(FakeLlmResponse.TooManyRequests(retryAfter: "1"), FakeLlmResponse.Tool(FakeToolCall.Bash("ls")));

        var sample = Assert.Single(await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1));

        Assert.Equal("ls", sample.Candidate?.Text);
        Assert.Equal(2, h.Fake.Requests.Count);
        Assert.Contains(TimeSpan.FromSeconds(1), h.Time.Timers);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_success()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Enqueue(FakeLlmResponse.ServerError(500), FakeLlmResponse.ServerError(503), FakeLlmResponse.Tool(FakeToolCall.Bash("ls")));

        var sample = Assert.Single(await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1));

        Assert.Equal("ls", sample.Candidate?.Text);
        Assert.Equal(3, h.Fake.Requests.Count);
        Assert.Contains(TimeSpan.FromMilliseconds(10), h.Time.Timers);
        Assert.Contains(TimeSpan.FromMilliseconds(20), h.Time.Timers);
    }

    [Fact]
    public async Task Server_errors_beyond_the_retry_limit_become_a_failed_sample()
    {
        await using var h = await ScaffoldHarness.StartAsync();
        h.Fake.Fallback = FakeLlmResponse.ServerError(500);

        var sample = Assert.Single(await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1));

        Assert.Null(sample.Candidate);
        Assert.StartsWith("model.unavailable", sample.FailureReason);
        Assert.Equal(3, h.Fake.Requests.Count);
    }

    [Fact]
    public async Task A_request_that_times_out_becomes_a_failed_sample()
    {
        await using var h = await ScaffoldHarness.StartAsync(new()
        {
            [$"Models:{ScaffoldHarness.Profile}:TimeoutSeconds"] = "1",
            ["Scaffold:Retry:MaxAttempts"] = "2",
        });
        h.Fake.Fallback = FakeLlmResponse.Hanging();

        var sample = Assert.Single(await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(), 1));

        Assert.Null(sample.Candidate);
        Assert.StartsWith("model.timeout", sample.FailureReason);
        Assert.Equal(2, h.Fake.Requests.Count);
    }

    [Fact]
    public async Task A_profile_that_is_not_configured_gives_failed_samples()
    {
        await using var h = await ScaffoldHarness.StartAsync();

        var samples = await h.Get<ICandidateGenerator>().GenerateAsync(ScaffoldHarness.Context(model: "nope"), 2);

        Assert.All(samples, s => Assert.StartsWith("model.unknown_profile", s.FailureReason));
        Assert.Empty(h.Fake.Requests);
    }
}
