using System.Globalization;
using System.Text.Json.Nodes;
using Bot.Core.Domain;
using Bot.Discord.Bot;
using Bot.Testing.FakeDiscord;
using Bot.Testing.FakeLlm;
using static Bot.Host.Tests.EndToEnd.BotUnderTest;

namespace Bot.Host.Tests.EndToEnd;

/// <summary>
/// One human-in-the-loop run of <c>find-password</c>, driven only through Discord events: a
/// researcher starts it, contractors vote (changing a vote, clicking twice, an outsider and a forged
/// button refused), a contractor's own proposal wins and runs in the sandbox, a delegation opens a
/// sub-run thread whose answer returns to the parent, the parent submits and is scored. At named
/// checkpoints the test may kill and restart the bot.
/// </summary>
public sealed class FindPasswordScenario(BotUnderTest bot, Func<string, Task>? checkpoint = null)
{
    public const string Password = "violet-anchor-42";
    public const string ListCommand = "ls -R archive";
    public const string ReadmeCommand = "cat archive/README.txt";
    public const string Proposal = "grep -rn PASSWORD archive";
    public const string SubTask = "Check which password in the archive is current and not a decoy";
    public const string TodoCommand = "cat archive/2021/misc/todo.md";
    public const string SubRunAnswer = "confirmed current: " + Password + " (checked by sub-run)";

    private const string Judge = """{"scores": [{"candidate": 1, "score": 7, "reason": "reasonable"}, {"candidate": 2, "score": 5, "reason": "weaker"}, {"candidate": 3, "score": 6, "reason": "fine"}]}""";

    public long RunId { get; private set; }
    public long ChildRunId { get; private set; }
    public ulong Thread { get; private set; }
    public ulong ChildThread { get; private set; }
    public Dictionary<int, (long StepId, ulong Message)> Steps { get; } = [];
    public int DeliveredTwice { get; private set; }

    /// <summary>
    /// The model's script. Rules are tried in order; each step asks for two samples in parallel, so
    /// a <c>once</c> rule gives the first sample and the next rule the second.
    /// </summary>
    public static void ScriptModel(FakeLlmServer llm, bool hangFirstSubRunCalls = false)
    {
        // The judge is offered no tools.
        llm.When(r => r.ToolNames.Count == 0, FakeLlmResponse.Text(Judge));
        if (hangFirstSubRunCalls)
        {
            // The sub-run's first two samples never answer: the bot is killed while waiting for them.
            llm.When(IsSubRun, FakeLlmResponse.Hanging(), once: true);
            llm.When(IsSubRun, FakeLlmResponse.Hanging(), once: true);
        }
        // The sub-run: its prompt says the task was delegated.
        llm.When(IsSubRun,
            FakeLlmResponse.Tool(FakeToolCall.Submit(SubRunAnswer, "the hidden folder holds the only current one")));
        // Parent step 3: the sub-run's answer came back.
        llm.When(r => r.AllText.Contains("checked by sub-run", StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Submit(Password, "the sub-run confirmed it")));
        // Parent step 2: the grep output is in the history.
        llm.When(r => r.AllText.Contains("PASSWORD=" + Password, StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Delegate(SubTask, "rule out the decoys")), once: true);
        llm.When(r => r.AllText.Contains("PASSWORD=" + Password, StringComparison.Ordinal),
            FakeLlmResponse.Tool(FakeToolCall.Bash(TodoCommand, "the todo mentions the rotation")));
        // Parent step 1.
        llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash(ListCommand, "see what is there")), once: true);
        llm.When(r => r.ToolNames.Count > 0, FakeLlmResponse.Tool(FakeToolCall.Bash(ReadmeCommand, "start with the readme")));
    }

    public static bool IsSubRun(FakeLlmRequest request) =>
        request.ToolNames.Count > 0 && request.AllText.Contains("delegated this sub-task", StringComparison.Ordinal);

    private FakeDiscordServer Discord => bot.Discord;

    public async Task RunAsync()
    {
        await StartTaskAsync();
        await StepOneAsync();
        await StepTwoAsync();
        await SubRunAsync();
        await StepThreeAsync();
    }

    private Task CheckpointAsync(string name) => checkpoint?.Invoke(name) ?? Task.CompletedTask;

    private async Task StartTaskAsync()
    {
        var start = await Discord.SlashCommandAsync(bot.RunsChannelId, "task",
        [
            FakeDiscordServer.SubCommand("start",
                FakeDiscordServer.Option("task", "find-password"), FakeDiscordServer.Option("model", Profile),
                FakeDiscordServer.Option("candidates", 2L), FakeDiscordServer.Option("mode", "vote"),
                FakeDiscordServer.Option("quorum", 2L), FakeDiscordServer.Option("blind", false)),
        ], Dave, Researcher);
        Assert.Equal(5, Type(await Discord.WaitForResponseAsync(start)));
        await Discord.WaitForAsync(() => start.OriginalMessageId is { } m && Discord.Message(m)?.Content?.StartsWith("Started run", StringComparison.Ordinal) == true,
            what: "the deferred answer to /task start");

        RunId = await bot.WaitForValueAsync<long?>("SELECT id FROM runs WHERE parent_run_id IS NULL", null, "the run") ?? 0;
        Thread = ulong.Parse(await bot.WaitForValueAsync<string>("SELECT discord_thread_id FROM runs WHERE id = @id", new { id = RunId }, "the run's thread"), CultureInfo.InvariantCulture);
        var thread = Discord.Store.FindChannel(Thread)!;
        Assert.Equal(11, thread.Type);
        Assert.Equal(bot.RunsChannelId, thread.ParentId);
        var card = Discord.MessagesIn(Thread).First();
        Assert.Contains("Find the hidden password", card.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("test", await bot.ScalarAsync<string>("SELECT model FROM runs WHERE id = @id", new { id = RunId }));
    }

    private async Task StepOneAsync()
    {
        var (step, message) = await StepMessageAsync(RunId, Thread, 1, candidates: 2);
        var list = await CandidateAsync(step, ListCommand);
        var readme = await CandidateAsync(step, ReadmeCommand);
        var shown = Discord.Message(message)!.Json.ToJsonString();
        Assert.Contains(ListCommand, shown, StringComparison.Ordinal);
        Assert.Contains(ReadmeCommand, shown, StringComparison.Ordinal);

        // Alice votes; Discord re-delivers the same interaction; she clicks the same button again.
        var first = await VoteAsync(Thread, message, step, list, FakeUser.Alice);
        await Discord.Gateway.DispatchAsync("INTERACTION_CREATE", (JsonObject)first.Payload.DeepClone());
        await Discord.WaitForAsync(() => first.RejectedCallbacks.Count == 1, what: "the re-delivered interaction's answer");
        DeliveredTwice++;
        await VoteAsync(Thread, message, step, list, FakeUser.Alice);

        // Someone without a role, and a forged button, change nothing.
        var outsider = await Discord.ClickButtonAsync(Thread, message, CustomIds.Vote(new StepId(step), readme), Eve, roles: []);
        var refused = await Discord.WaitForResponseAsync(outsider);
        Assert.Equal(4, Type(refused));
        Assert.Contains("Only contractors and researchers", Text(refused), StringComparison.Ordinal);
        await ForgedClicksAsync(step);

        await VoteAsync(Thread, message, step, readme, FakeUser.Bob);

        // Carol proposes her own command; her vote goes to it.
        var open = await Discord.ClickButtonAsync(Thread, message, CustomIds.Propose(new StepId(step)), FakeUser.Carol, Contractor);
        Assert.Equal(9, Type(await Discord.WaitForResponseAsync(open)));
        var submit = await Discord.SubmitModalAsync(Thread, CustomIds.ProposalModal(new StepId(step)), new Dictionary<string, string>
        {
            [CustomIds.Inputs.Action] = Proposal,
            [CustomIds.Inputs.Kind] = "bash",
            [CustomIds.Inputs.Rationale] = "search every file at once",
            [CustomIds.Inputs.KeepVote] = "",
        }, FakeUser.Carol, Contractor, message);
        Assert.Contains("Proposal added", Text(await Discord.WaitForResponseAsync(submit)), StringComparison.Ordinal);
        await Discord.WaitForAsync(() => Discord.Message(message)!.CustomIds().Contains(CustomIds.Vote(new StepId(step), 3)),
            what: "the proposal's vote button");

        await CheckpointAsync("votes-cast");

        // Alice changes her vote to Carol's proposal: two of three, consensus.
        var change = await VoteAsync(Thread, message, step, 3, FakeUser.Alice);
        var decided = await bot.WaitForValueAsync<int?>("SELECT candidate_number FROM decisions WHERE step_id = @id", new { id = step }, "step 1's decision");
        Assert.Equal(3, decided);
        Assert.Contains($"from #{list} to #3", change.Response!["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task StepTwoAsync()
    {
        var (step, message) = await StepMessageAsync(RunId, Thread, 2, candidates: 2);
        // The proposal ran in the sandbox and its output was posted before step 2.
        Assert.Contains(Discord.MessagesIn(Thread), m => m.FromBot && m.Content?.StartsWith("**Step 1 result**", StringComparison.Ordinal) == true
            && m.Content.Contains("PASSWORD=" + Password, StringComparison.Ordinal));
        var delegation = await CandidateAsync(step, SubTask);
        var todo = await CandidateAsync(step, TodoCommand);

        // Carol rates both candidates, then changes her mind on one; and tags the step.
        var rate = await Discord.ClickButtonAsync(Thread, message, CustomIds.Rate(new StepId(step)), FakeUser.Carol, Contractor);
        Assert.Equal(4, Type(await Discord.WaitForResponseAsync(rate)));
        var panel = rate.OriginalMessageId!.Value;
        foreach (var (candidate, value) in new[] { (delegation, "2"), (todo, "-1"), (delegation, "1") })
        {
            var select = await Discord.SelectAsync(Thread, panel, CustomIds.RatingSelect(new StepId(step), candidate), [value], FakeUser.Carol, Contractor);
            var saved = await Discord.WaitForResponseAsync(select);
            Assert.Equal(7, Type(saved));
            Assert.StartsWith($"Saved: #{candidate} rated", Text(saved), StringComparison.Ordinal);
        }
        var tag = await Discord.ClickButtonAsync(Thread, message, CustomIds.Tag(new StepId(step)), FakeUser.Carol, Contractor);
        Assert.Equal(4, Type(await Discord.WaitForResponseAsync(tag)));
        var tagged = await Discord.SelectAsync(Thread, tag.OriginalMessageId!.Value, CustomIds.TagSelect(new StepId(step)), ["planning", "information-gathering"], FakeUser.Carol, Contractor);
        Assert.Equal(7, Type(await Discord.WaitForResponseAsync(tagged)));

        await VoteAsync(Thread, message, step, delegation, FakeUser.Alice);
        await VoteAsync(Thread, message, step, delegation, FakeUser.Bob);
        await CheckpointAsync("delegation-decided");
    }

    private async Task SubRunAsync()
    {
        ChildRunId = await bot.WaitForValueAsync<long?>("SELECT id FROM runs WHERE parent_run_id = @id", new { id = RunId }, "the sub-run") ?? 0;
        ChildThread = ulong.Parse(await bot.WaitForValueAsync<string>("SELECT discord_thread_id FROM runs WHERE id = @id", new { id = ChildRunId }, "the sub-run's thread"), CultureInfo.InvariantCulture);
        Assert.NotEqual(Thread, ChildThread);
        Assert.Equal(11, Discord.Store.FindChannel(ChildThread)!.Type);
        // The parent's step message links the sub-run's thread while it waits.
        var parentStep = Steps[2].Message;
        string Shown() => Discord.Message(parentStep)!.Json["embeds"]?[0]?["description"]?.GetValue<string>() ?? "";
        await Discord.WaitForAsync(() => Shown().Contains($"Sub-run: <#{ChildThread}>", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the parent's step message to link the sub-run's thread");
        Assert.Contains("waiting on sub-run", Shown(), StringComparison.Ordinal);

        // Both samples proposed the same answer: one candidate.
        var (step, message) = await StepMessageAsync(ChildRunId, ChildThread, 1, candidates: 1);
        await VoteAsync(ChildThread, message, step, 1, FakeUser.Alice);
        await VoteAsync(ChildThread, message, step, 1, FakeUser.Bob);
        Assert.Equal("completed", await bot.WaitForValueAsync<string>(
            "SELECT status FROM runs WHERE id = @id AND status IN ('completed', 'failed', 'aborted')", new { id = ChildRunId }, "the sub-run to end"));
    }

    private async Task StepThreeAsync()
    {
        var (step, message) = await StepMessageAsync(RunId, Thread, 3, candidates: 1);
        Assert.Contains(Discord.MessagesIn(Thread), m => m.FromBot && m.Content?.StartsWith("**Step 2 result**", StringComparison.Ordinal) == true
            && m.Content.Contains("checked by sub-run", StringComparison.Ordinal));
        await VoteAsync(Thread, message, step, 1, FakeUser.Bob);
        await VoteAsync(Thread, message, step, 1, FakeUser.Carol);
        Assert.Equal("completed", await bot.WaitForValueAsync<string>(
            "SELECT status FROM runs WHERE id = @id AND status IN ('completed', 'failed', 'aborted')", new { id = RunId }, "the run to end"));
        Assert.True(await bot.WaitForValueAsync<bool?>("SELECT passed FROM run_scores WHERE run_id = @id", new { id = RunId }, "the run's score"));
        // The end of each run is announced in its thread after the score is stored (same work item).
        Assert.Equal(2L, await bot.WaitForValueAsync<long?>(
            "SELECT NULLIF(count(*), 0) FROM work_items WHERE kind = 'FinishRun' AND status = 'done' HAVING count(*) = 2", null, "both runs' end announcements"));
    }

    /// <summary>Waits until the step's message is posted with <paramref name="candidates"/> vote buttons.</summary>
    private async Task<(long StepId, ulong Message)> StepMessageAsync(long runId, ulong thread, int number, int candidates)
    {
        var step = await bot.WaitForValueAsync<long?>("SELECT id FROM steps WHERE run_id = @run AND number = @number", new { run = runId, number }, $"step {number} of run {runId}") ?? 0;
        var message = ulong.Parse(await bot.WaitForValueAsync<string>(
            "SELECT discord_message_id FROM steps WHERE id = @id", new { id = step }, $"step {number}'s message"), CultureInfo.InvariantCulture);
        await Discord.WaitForAsync(() => Discord.Message(message) is { } m && m.ChannelId == thread
            && Enumerable.Range(1, candidates).All(n => m.CustomIds().Contains(CustomIds.Vote(new StepId(step), n))),
            TimeSpan.FromSeconds(60), $"step {number}'s message to show {candidates} candidates");
        Steps[runId == RunId ? number : 100 + number] = (step, message);
        return (step, message);
    }

    private async Task<int> CandidateAsync(long step, string text) =>
        await bot.ScalarAsync<int?>("SELECT number FROM candidates WHERE step_id = @step AND text = @text", new { step, text })
        ?? throw new Xunit.Sdk.XunitException($"No candidate '{text}' on step {step}.");

    private async Task<FakeInteraction> VoteAsync(ulong thread, ulong message, long step, int candidate, FakeUser voter)
    {
        var click = await Discord.ClickButtonAsync(thread, message, CustomIds.Vote(new StepId(step), candidate), voter, Contractor);
        var response = await Discord.WaitForResponseAsync(click);
        // A private confirmation naming the candidate ("Vote recorded: #2", "... is already #2", "changed from #1 to #2").
        Assert.True(Type(response) == 4 && (response["data"]?["content"]?.GetValue<string>() ?? "").Contains($"#{candidate}", StringComparison.Ordinal),
            $"vote by {voter.Username} answered with {response.ToJsonString()}");
        return click;
    }

    /// <summary>A modified client sends custom ids no message of ours carries.</summary>
    private async Task ForgedClicksAsync(long step)
    {
        string[] forged = [CustomIds.Vote(new StepId(step), 9), "vote:999999999:1", "vote:abc:1"];
        var message = Discord.Store.AddMessage(Thread, Discord.Options.BotUserId, fromBot: true, new JsonObject
        {
            ["content"] = "forged",
            ["components"] = new JsonArray(new JsonObject
            {
                ["type"] = 1,
                ["components"] = new JsonArray(forged.Select(id => (JsonNode)new JsonObject { ["type"] = 2, ["style"] = 1, ["label"] = "x", ["custom_id"] = id }).ToArray()),
            }),
        });
        foreach (var id in forged)
        {
            var response = await Discord.WaitForResponseAsync(await Discord.ClickButtonAsync(Thread, message.Id, id, FakeUser.Alice, Contractor));
            Assert.Equal(4, Type(response));
            Assert.Equal(64, (response["data"]?["flags"]?.GetValue<int>() ?? 0) & 64);
        }
    }

    private static int Type(JsonObject response) => response["type"]!.GetValue<int>();

    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";
}
