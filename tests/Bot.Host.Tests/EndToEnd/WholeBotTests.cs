using Bot.Core.Domain;
using Bot.Discord.Bot;
using Bot.Testing.FakeDiscord;

namespace Bot.Host.Tests.EndToEnd;

/// <summary>
/// The whole bot (production composition, configured by command-line arguments) against the fake
/// Discord, the fake model server and a real PostgreSQL database, driven only through Discord events.
/// </summary>
public sealed class WholeBotTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_voted_run_with_a_proposal_and_a_sub_run_completes_and_stores_everything_once()
    {
        await using var bot = await BotUnderTest.CreateAsync();
        FindPasswordScenario.ScriptModel(bot.Llm);
        await bot.StartAsync();

        var scenario = new FindPasswordScenario(bot);
        await scenario.RunAsync();

        await AssertFinalStateAsync(bot, scenario);
    }

    [Fact]
    public async Task A_bot_killed_twice_mid_run_resumes_and_ends_with_the_same_state()
    {
        await using var bot = await BotUnderTest.CreateAsync(childProcess: true);
        FindPasswordScenario.ScriptModel(bot.Llm, hangFirstSubRunCalls: true);
        await bot.StartAsync();

        var scenario = new FindPasswordScenario(bot, async checkpoint =>
        {
            // First after acknowledged votes and a proposal (before the deciding vote); then after the
            // delegation was decided, while the sub-run's candidate generation waits on the model.
            if (checkpoint == "delegation-decided")
            {
                await bot.Discord.WaitForAsync(() => bot.Llm.Requests.Count(FindPasswordScenario.IsSubRun) >= 2,
                    TimeSpan.FromSeconds(60), "the sub-run's model calls");
            }
            await bot.KillAsync();
            await bot.StartAsync();
        });
        await scenario.RunAsync();

        Assert.Equal(3, bot.Starts);
        // The second kill caught the sub-run's candidate generation in flight; it was taken back and redone.
        var retried = await bot.QueryAsync<string>("SELECT kind || ' run ' || run_id || ' step ' || step_number || ' x' || attempts FROM work_items WHERE attempts > 1 ORDER BY id");
        foreach (var line in retried) output.WriteLine(line);
        Assert.Contains($"GenerateCandidates run {scenario.ChildRunId} step 1 x2", retried);
        Assert.Equal(4, bot.Llm.Requests.Count(FindPasswordScenario.IsSubRun));
        await AssertFinalStateAsync(bot, scenario);
    }

    internal static async Task AssertFinalStateAsync(BotUnderTest bot, FindPasswordScenario scenario)
    {
        var run = new { id = scenario.RunId };
        Assert.Equal(FindPasswordScenario.Password, await bot.ScalarAsync<string>("SELECT answer FROM runs WHERE id = @id", run));
        Assert.Equal(FindPasswordScenario.SubRunAnswer, await bot.ScalarAsync<string>("SELECT answer FROM runs WHERE id = @id", new { id = scenario.ChildRunId }));
        Assert.Equal(1L, await bot.ScalarAsync<long>("SELECT count(*) FROM runs WHERE parent_run_id = @id", run));
        Assert.Equal(2L, await bot.ScalarAsync<long>("SELECT count(*) FROM runs"));

        // Every step once, each decided by consensus on the expected candidate.
        var steps = await bot.QueryAsync<(long Run, int Number, string Method, string Kind, string Text)>("""
            SELECT s.run_id, s.number, d.method, c.kind, c.text
            FROM steps s JOIN decisions d ON d.step_id = s.id JOIN candidates c ON c.step_id = s.id AND c.number = d.candidate_number
            ORDER BY s.run_id, s.number
            """);
        Assert.Equal(
        [
            (scenario.RunId, 1, "consensus", "bash", FindPasswordScenario.Proposal),
            (scenario.RunId, 2, "consensus", "delegate", FindPasswordScenario.SubTask),
            (scenario.RunId, 3, "consensus", "submit", FindPasswordScenario.Password),
            (scenario.ChildRunId, 1, "consensus", "submit", FindPasswordScenario.SubRunAnswer),
        ], steps);
        Assert.Equal(4L, await bot.ScalarAsync<long>("SELECT count(*) FROM steps"));
        Assert.Equal(1L, await bot.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE source = 'contractor' AND author = @a",
            new { a = Voter(FakeUser.Carol) }));

        // The proposal ran once in the sandbox.
        var executions = await bot.QueryAsync<(string Command, int ExitCode, string Stdout)>("SELECT command, exit_code, stdout FROM executions ORDER BY id");
        var execution = Assert.Single(executions);
        Assert.Equal(FindPasswordScenario.Proposal, execution.Command);
        Assert.Equal(0, execution.ExitCode);
        Assert.Contains("PASSWORD=" + FindPasswordScenario.Password, execution.Stdout, StringComparison.Ordinal);

        // Votes: current and history exactly once each (the re-delivery and the repeated click added nothing).
        var step1 = scenario.Steps[1].StepId;
        var step2 = scenario.Steps[2].StepId;
        var list = await bot.ScalarAsync<int>("SELECT number FROM candidates WHERE step_id = @s AND text = @t", new { s = step1, t = FindPasswordScenario.ListCommand });
        var readme = await bot.ScalarAsync<int>("SELECT number FROM candidates WHERE step_id = @s AND text = @t", new { s = step1, t = FindPasswordScenario.ReadmeCommand });
        var votes = await bot.QueryAsync<(string Voter, int Candidate)>("SELECT voter, candidate_number FROM votes WHERE step_id = @s ORDER BY voter", new { s = step1 });
        Assert.Equal([(Voter(FakeUser.Alice), 3), (Voter(FakeUser.Bob), readme), (Voter(FakeUser.Carol), 3)], votes);
        var history = await bot.QueryAsync<(string Voter, int Candidate, int? Previous)>(
            "SELECT voter, candidate_number, previous_candidate FROM vote_history WHERE step_id = @s ORDER BY id", new { s = step1 });
        Assert.Equal(
        [
            (Voter(FakeUser.Alice), list, null),
            (Voter(FakeUser.Bob), readme, null),
            (Voter(FakeUser.Carol), 3, null),
            (Voter(FakeUser.Alice), 3, list),
        ], history);
        Assert.Equal(0L, await bot.ScalarAsync<long>("SELECT count(*) FROM votes WHERE voter = @v", new { v = Voter(BotUnderTest.Eve) }));
        // Steps 2 and 3 and the sub-run's step: two votes each, no changes.
        Assert.Equal(6L, await bot.ScalarAsync<long>("SELECT count(*) FROM votes WHERE step_id <> @s", new { s = step1 }));
        Assert.Equal(6L, await bot.ScalarAsync<long>("SELECT count(*) FROM vote_history WHERE step_id <> @s", new { s = step1 }));

        // Ratings (a change is a new row) and tags, once each.
        var delegation = await bot.ScalarAsync<int>("SELECT number FROM candidates WHERE step_id = @s AND kind = 'delegate'", new { s = step2 });
        var todo = await bot.ScalarAsync<int>("SELECT number FROM candidates WHERE step_id = @s AND kind = 'bash'", new { s = step2 });
        var ratings = await bot.QueryAsync<(long Step, int Candidate, string Rater, short Value)>("SELECT step_id, candidate_number, rater, value FROM ratings ORDER BY id");
        Assert.Equal([(step2, delegation, Voter(FakeUser.Carol), (short)2), (step2, todo, Voter(FakeUser.Carol), (short)-1), (step2, delegation, Voter(FakeUser.Carol), (short)1)], ratings);
        var tags = await bot.QueryAsync<(long Step, string Tag, string Actor)>("SELECT step_id, tag, actor FROM current_tags ORDER BY tag");
        Assert.Equal([(step2, "information-gathering", Voter(FakeUser.Carol)), (step2, "planning", Voter(FakeUser.Carol))], tags);

        // The run passed; no work item died or was interrupted.
        Assert.True(await bot.ScalarAsync<bool>("SELECT passed FROM run_scores WHERE run_id = @id", run));
        Assert.Empty(await bot.QueryAsync<string>("SELECT kind || ': ' || coalesce(last_error, '') FROM work_items WHERE status IN ('dead', 'interrupted')"));
        Assert.Equal(0L, await bot.ScalarAsync<long>("SELECT count(*) - count(DISTINCT interaction_id) FROM interactions_seen"));

        AssertMessagesOnce(bot, scenario);

        // The only violations are the fake refusing the answer to the interaction Discord delivered twice.
        Assert.Equal(scenario.DeliveredTwice, bot.Discord.Violations.Count);
        Assert.All(bot.Discord.Violations, v => Assert.Contains("answered twice", v.ToString(), StringComparison.Ordinal));
        bot.Discord.ClearViolations();
        bot.Discord.AssertNoViolations();
    }

    /// <summary>One message per step, one result per executed step, one task card per thread.</summary>
    private static void AssertMessagesOnce(BotUnderTest bot, FindPasswordScenario scenario)
    {
        foreach (var (thread, steps, results) in new[] { (scenario.Thread, new[] { 1, 2, 3 }, new[] { 1, 2 }), (scenario.ChildThread, [101], Array.Empty<int>()) })
        {
            var posted = bot.Discord.MessagesIn(thread).Where(m => m.FromBot).ToList();
            foreach (var key in steps)
            {
                var (stepId, messageId) = scenario.Steps[key];
                var carrying = posted.Where(m => m.CustomIds().Contains(CustomIds.Propose(new StepId(stepId)))).Select(m => m.Id).ToList();
                Assert.Equal([messageId], carrying);
            }
            foreach (var number in results)
            {
                Assert.Single(posted, m => m.Content?.StartsWith($"**Step {number} result**", StringComparison.Ordinal) == true);
            }
            var texts = posted.Select(m => m.Json.ToJsonString()).ToList();
            Assert.Equal(texts.Count, texts.Distinct(StringComparer.Ordinal).Count());
        }

        // What the thread shows, in order, is the same whether or not the bot was restarted.
        AssertShape(ExpectedParentThread, Shape(bot, scenario, scenario.Thread));
        AssertShape(ExpectedChildThread, Shape(bot, scenario, scenario.ChildThread));
    }

    private static readonly string[] ExpectedParentThread =
    [
        "embed: Task: Find the hidden password",
        "step 1",
        "forged",   // the test's own message carrying forged buttons
        "**Step 1 result**",
        "step 2",
        "Sub-run started",
        "**Step 2 result**",
        "step 3",
        "**Run completed.**",
    ];
    private static readonly string[] ExpectedChildThread =
    [
        "embed: Task: find-password / Check which password in the archive is current and not a decoy",
        "Sub-run of run 1",
        "step 101",
        "**Run completed.**",
    ];

    private static void AssertShape(string[] expected, List<string> actual) =>
        Assert.True(expected.SequenceEqual(actual), $"Expected:\n{string.Join("\n", expected)}\nActual:\n{string.Join("\n", actual)}");

    /// <summary>The thread's public bot messages, each named by what it is.</summary>
    private static List<string> Shape(BotUnderTest bot, FindPasswordScenario scenario, ulong thread)
    {
        var steps = scenario.Steps.ToDictionary(s => CustomIds.Propose(new StepId(s.Value.StepId)), s => s.Key);
        return bot.Discord.MessagesIn(thread).Where(m => m.FromBot && (m.Flags & 64) == 0).Select(m =>
        {
            var step = m.CustomIds().Select(id => steps.TryGetValue(id, out var key) ? (int?)key : null).FirstOrDefault(k => k is not null);
            if (step is { } key) return $"step {key}";
            var content = m.Content ?? "";
            if (content.Length == 0) return "embed: " + (m.Json["embeds"]?[0]?["title"]?.GetValue<string>() ?? "?");
            var bold = System.Text.RegularExpressions.Regex.Match(content, @"^\*\*[^*]+\*\*");
            return bold.Success ? bold.Value : content.Split(':')[0];
        }).ToList();
    }

    private static string Voter(FakeUser user) => ActorId.Discord(user.Id).Value;
}
