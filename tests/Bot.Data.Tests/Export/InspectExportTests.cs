using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bot.Core.Ports;
using Bot.Testing.Postgres;
using Json.Schema;

namespace Bot.Data.Tests.Export;

/// <summary>The Inspect export is a log Inspect itself would write: it validates against Inspect's official schema.</summary>
public sealed partial class InspectExportTests(PostgresDatabase db) : ExportTestBase(db), IClassFixture<PostgresDatabase>
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Export", "Inspect", "log-schema.json")),
            // Pydantic writes draft 2020-12 plus OpenAPI's "discriminator", which that dialect allows as an unknown keyword.
            new BuildOptions { Dialect = Dialect.Draft202012, SchemaRegistry = new SchemaRegistry() }));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\+00-00_[A-Za-z0-9.-]+_[2-9A-HJ-NP-Za-km-z]{22}\.json$")]
    private static partial Regex InspectFileName();

    [Fact]
    public async Task Every_log_validates_against_inspects_official_schema()
    {
        var (result, sink) = await ExportAsync(ExportFormat.Inspect);

        // One log per task and model profile: find-password/test-model (A and its fork F), count-error-lines/other-model (B), two-part-report/test-model (D).
        Assert.Equal(3, sink.Files.Count);
        Assert.Equal(4, result.RowsWritten);
        foreach (var (name, bytes) in sink.Files)
        {
            Assert.Matches(InspectFileName(), name);
            using var doc = JsonDocument.Parse(bytes);
            var evaluation = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            var errors = (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}")).Take(15);
            Assert.True(evaluation.IsValid, $"{name}:\n{string.Join('\n', errors)}");
        }

        // The check has teeth: the same log without one required field of a model event is refused.
        var log = JsonNode.Parse(sink.Files.Values.First())!;
        var modelEvent = log["samples"]![0]!["events"]!.AsArray().First(e => Get<string>(e, "event") == "model")!.AsObject();
        modelEvent.Remove("traceback_ansi");
        using var broken = JsonDocument.Parse(log.ToJsonString());
        Assert.False(Schema.Value.Evaluate(broken.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid);
    }

    [Fact]
    public async Task A_sample_per_top_level_run_with_model_approval_tool_span_and_score_events()
    {
        var (_, sink) = await ExportAsync(ExportFormat.Inspect);
        var logs = sink.Files.Values.Select(b => JsonNode.Parse(b)!).ToList();
        var findPassword = logs.Single(l => Get<string>(l, "eval.task") == "find-password");
        Assert.Equal(2, Get<int>(findPassword, "version"));
        Assert.Equal(ExportScenario.ModelId, Get<string>(findPassword, "eval.model"));
        // The fork F is still open, so the log is "started", as Inspect marks unfinished logs.
        Assert.Equal("started", Get<string>(findPassword, "status"));
        var a = findPassword["samples"]!.AsArray().Single(s => Get<long>(s, "id") == Scenario.A.Value)!;
        var events = a["events"]!.AsArray();
        Assert.Equal(3, events.Count(e => Get<string>(e, "event") == "model"));
        var approvals = events.Where(e => Get<string>(e, "event") == "approval").ToList();
        Assert.Equal(new[] { "consensus", "consensus" }, approvals.Select(e => Get<string>(e, "approver")));
        Assert.Contains("#1: 2, #2: 0, #3: 1", Get<string>(approvals[0], "explanation"));
        Assert.Equal(3, approvals[0]!["metadata"]!["votes"]!.AsArray().Count);
        var tools = events.Where(e => Get<string>(e, "event") == "tool").ToList();
        Assert.Equal("bash", Get<string>(tools[0], "function"));
        Assert.Equal("ls", Get<string>(tools[0], "arguments.cmd"));
        Assert.Equal("a.txt\n", Get<string>(tools[0], "result"));
        var score = events.Single(e => Get<string>(e, "event") == "score");
        Assert.Equal("I", Get<string>(score, "score.value"));
        Assert.Equal("I", Get<string>(a, "scores.task_scorer.value"));
        Assert.Equal(0.0, Get<double>(findPassword, "results.scores.0.metrics.accuracy.value"));

        var report = logs.Single(l => Get<string>(l, "eval.task") == "two-part-report");
        var d = report["samples"]![0]!;
        var dEvents = d["events"]!.AsArray();
        var begin = dEvents.Single(e => Get<string>(e, "event") == "span_begin");
        Assert.Equal($"run{Scenario.E.Value}", Get<string>(begin, "id"));
        Assert.Equal(Get<string>(begin, "id"), Get<string>(dEvents.Single(e => Get<string>(e, "event") == "span_end"), "id"));
        // E's approval sits inside the span.
        Assert.Contains(dEvents, e => Get<string>(e, "event") == "approval" && Get<string?>(e, "span_id") == $"run{Scenario.E.Value}");
        Assert.True(Get<bool>(d, "metadata.in_progress"));
    }

    [Fact]
    public async Task A_model_events_input_is_the_conversation_its_run_had_reached_pooled_as_inspect_condenses_it()
    {
        var (_, sink) = await ExportAsync(ExportFormat.Inspect);
        var logs = sink.Files.Values.Select(b => JsonNode.Parse(b)!).ToList();
        var a = logs.Single(l => Get<string>(l, "eval.task") == "find-password")["samples"]!.AsArray().Single(s => Get<long>(s, "id") == Scenario.A.Value)!;
        var models = a["events"]!.AsArray().Where(e => Get<string>(e, "event") == "model").ToList();
        Assert.Equal(new[] { "candidates", "judge", "stuck_check" }, models.Select(e => Get<string>(e, "metadata.purpose")));

        // Step 1's calls saw only the task; step 2's stuck check also saw step 1's action and its output.
        var first = Resolve(a, models[0]!);
        Assert.Equal([("user", "Task text of find-password")], first.Select(m => (Get<string>(m, "role"), Get<string>(m, "content"))));
        Assert.Single(Resolve(a, models[1]!));
        var third = Resolve(a, models[2]!);
        Assert.Equal(new[] { "user", "assistant", "tool" }, third.Select(m => Get<string>(m, "role")));
        Assert.Equal("ls", Get<string>(third[1], "tool_calls.0.arguments.cmd"));
        Assert.Equal("a.txt", Get<string>(third[2], "content"));
        // The pool holds each message once; the sample's messages are the root's conversation.
        Assert.Equal(a["messages"]!.AsArray().Count, a["events_data"]!["messages"]!.AsArray().Count);

        // A sub-run's calls see the sub-run's own task, not its parent's conversation.
        var d = logs.Single(l => Get<string>(l, "eval.task") == "two-part-report")["samples"]![0]!;
        var pool = d["events_data"]!["messages"]!.AsArray();
        Assert.Contains(pool, m => Get<string>(m!, "role") == "user" && Get<string>(m!, "content") == "write part one");
    }

    /// <summary>Inspect's reading of a condensed event: input_refs are (start, end exclusive) ranges into events_data.messages.</summary>
    private static List<JsonNode> Resolve(JsonNode sample, JsonNode modelEvent)
    {
        Assert.Empty(modelEvent["input"]!.AsArray());
        var pool = sample["events_data"]!["messages"]!.AsArray();
        return modelEvent["input_refs"]!.AsArray()
            .SelectMany(r => Enumerable.Range(r![0]!.GetValue<int>(), r[1]!.GetValue<int>() - r[0]!.GetValue<int>()))
            .Select(i => pool[i]!).ToList();
    }
}
