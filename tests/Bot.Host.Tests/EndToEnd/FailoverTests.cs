using System.Globalization;
using Bot.Testing.FakeDiscord;

namespace Bot.Host.Tests.EndToEnd;

/// <summary>
/// Two bot processes (the real host, each a child process) on one database, one fake Discord and one
/// model server, each with its own workspace folder and one shared snapshot folder. Whichever holds
/// the gateway shard or the work in flight is killed with SIGKILL; the other carries the run on.
/// </summary>
public sealed class FailoverTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // As docs/scaling.md says to run several processes. The leases on the gateway shard and on work
    // items are short in every BotUnderTest, so a dead process's part is taken over within seconds.
    private static readonly Dictionary<string, string> Cluster = new() { ["Scheduler:Clustered"] = "true" };

    [Fact]
    public async Task A_run_continues_when_the_gateway_process_and_then_the_process_doing_its_work_are_killed()
    {
        await using var first = await BotUnderTest.CreateAsync(childProcess: true, Cluster);
        await using var second = BotUnderTest.CreatePeer(first);
        FindPasswordScenario.ScriptModel(first.Llm, hangFirstSubRunCalls: true);
        await first.StartAsync();
        // The second stands by: the first holds the only gateway shard; both take work.
        await second.StartAsync(expectGateway: false);
        BotUnderTest[] bots = [first, second];
        var kills = new List<string>();

        var scenario = new FindPasswordScenario(first, async checkpoint =>
        {
            if (checkpoint == "votes-cast")
            {
                // Just after acknowledged votes and a proposal: the process on the gateway dies.
                var owner = Named(bots, await first.WaitForValueAsync<string>(
                    "SELECT owner FROM gateway_shards WHERE shard_count = 1 AND shard_id = 0", null, "the shard's owner"));
                await KillAsync(owner, first, kills, checkpoint);
                // It comes back, and stands by in turn.
                await owner.StartAsync(expectGateway: false);
            }
            else if (checkpoint == "delegation-decided")
            {
                // The sub-run's candidates are being generated (the model does not answer): the process doing it dies.
                await first.Discord.WaitForAsync(() => first.Llm.Requests.Count(FindPasswordScenario.IsSubRun) >= 2,
                    TimeSpan.FromSeconds(60), "the sub-run's model calls");
                var holder = Named(bots, await first.WaitForValueAsync<string>("""
                    SELECT locked_by FROM work_items
                    WHERE kind = 'GenerateCandidates' AND status = 'running' AND run_id IN (SELECT id FROM runs WHERE parent_run_id IS NOT NULL)
                    """, null, "the sub-run's generation to be claimed"));
                await KillAsync(holder, first, kills, checkpoint);
            }
        });
        await scenario.RunAsync();
        foreach (var kill in kills) output.WriteLine(kill);
        Assert.Equal(2, kills.Count);

        // The generation the second kill caught was taken back by the survivor and done again.
        Assert.Equal(2, await first.ScalarAsync<int>("SELECT attempts FROM work_items WHERE kind = 'GenerateCandidates' AND run_id = @id AND step_number = 1",
            new { id = scenario.ChildRunId }));

        // Every vote Discord got an answer for is stored, whichever process answered it (a click that
        // repeated the voter's current vote is answered without a new record; its vote is the stored one).
        var history = (await first.QueryAsync<(long Step, string Voter, int Candidate)>("SELECT step_id, voter, candidate_number FROM vote_history")).ToHashSet();
        var answeredVotes = first.Discord.Interactions
            .Where(i => i.ResponseType == 4 && i.Payload["data"]?["custom_id"]?.GetValue<string>()?.StartsWith("vote:", StringComparison.Ordinal) == true
                && Confirmed(i.Response!["data"]?["content"]?.GetValue<string>()))
            .Select(i => (Id: i.Id, Vote: Vote(i)))
            .ToList();
        Assert.NotEmpty(answeredVotes);
        Assert.All(answeredVotes, v => Assert.True(history.Contains(v.Vote), $"acknowledged vote {v.Vote} (interaction {v.Id}) is not stored"));

        // Every step posted once, every action run once, every vote counted once (and the rest of a
        // whole run's record), exactly as with one process.
        await WholeBotTests.AssertFinalStateAsync(first, scenario);
    }

    /// <summary>The bot's answers that mean the vote is stored (a refusal says something else).</summary>
    private static bool Confirmed(string? answer) => answer is not null
        && (answer.StartsWith("Vote recorded", StringComparison.Ordinal) || answer.StartsWith("Vote changed", StringComparison.Ordinal)
            || answer.StartsWith("Your vote", StringComparison.Ordinal));

    private static (long Step, string Voter, int Candidate) Vote(FakeInteraction interaction)
    {
        var parts = interaction.Payload["data"]!["custom_id"]!.GetValue<string>().Split(':');
        var user = interaction.Payload["member"]!["user"]!["id"]!.GetValue<string>();
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), "discord:" + user, int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>The bot whose process a lease owner or worker id (<c>host:pid:suffix</c>) names.</summary>
    private static BotUnderTest Named(BotUnderTest[] bots, string owner)
    {
        var pid = int.Parse(owner.Split(':')[^2], CultureInfo.InvariantCulture);
        return bots.Single(b => b.ProcessId == pid);
    }

    /// <summary>SIGKILLs <paramref name="victim"/>; if it had the gateway, waits for the other process's own session.</summary>
    private static async Task KillAsync(BotUnderTest victim, BotUnderTest any, List<string> kills, string checkpoint)
    {
        var previous = any.Discord.Gateway.CurrentConnection;
        var pid = victim.ProcessId!.Value;
        var hadGateway = await any.ScalarAsync<string>("SELECT owner FROM gateway_shards WHERE shard_count = 1 AND shard_id = 0") is { } owner
            && owner.Split(':')[^2] == pid.ToString(CultureInfo.InvariantCulture);
        await victim.KillAsync();
        kills.Add($"{checkpoint}: killed pid {pid}{(hadGateway ? " (it had the gateway)" : "")}");
        if (hadGateway)
        {
            await any.Discord.WaitForAsync(() => any.Discord.Gateway.CurrentConnection is { } c && !ReferenceEquals(c, previous),
                TimeSpan.FromSeconds(60), "the surviving process to take the gateway shard over");
        }
    }
}
