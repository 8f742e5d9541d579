using System.Text.Json.Nodes;
using Bot.Discord.Bot;
using Bot.Testing.FakeDiscord;

namespace Bot.Discord.Tests.Bot;

/// <summary>Votes driven only through Discord events (fake Discord + real PostgreSQL).</summary>
public sealed class VotingTests(BotHarness h) : IClassFixture<BotHarness>
{
    private static int Type(JsonObject response) => response["type"]!.GetValue<int>();

    private static bool IsEphemeral(JsonObject response) => ((response["data"]?["flags"]?.GetValue<int>() ?? 0) & 64) != 0;

    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";

    private static string Description(FakeMessage message) => message.Json["embeds"]?[0]?["description"]?.GetValue<string>() ?? "";

    [Fact]
    public async Task A_contractors_click_stores_the_vote_confirms_privately_and_the_message_catches_up()
    {
        var run = await h.VotingRunAsync();
        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 2), FakeUser.Alice, BotHarness.Contractor);
        var response = await h.Fake.WaitForResponseAsync(click);

        // One request answers the click: a private confirmation, sent after the vote was stored.
        Assert.Equal(4, Type(response));
        Assert.True(IsEphemeral(response));
        Assert.Contains("Vote recorded: #2", Text(response), StringComparison.Ordinal);
        Assert.Equal([(BotHarness.Voter(FakeUser.Alice), 2)], await h.VotesAsync(run.Step));
        // The step message shows the tally through the render work the vote enqueued (this harness
        // has no worker: the test claims the item and runs the production handler on it).
        Assert.DoesNotContain("1 vote of quorum 2", Description(h.Fake.Message(run.Message)!), StringComparison.Ordinal);
        await h.RunPendingRenderWorkAsync();
        Assert.Contains("1 vote of quorum 2", Description(h.Fake.Message(run.Message)!), StringComparison.Ordinal);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_changed_vote_replaces_the_old_one_and_both_are_in_the_history()
    {
        var run = await h.VotingRunAsync();
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Bob, BotHarness.Contractor));
        var second = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 3), FakeUser.Bob, BotHarness.Contractor);
        var response = await h.Fake.WaitForResponseAsync(second);

        Assert.Equal([(BotHarness.Voter(FakeUser.Bob), 3)], await h.VotesAsync(run.Step));
        Assert.Equal(2, await h.CountAsync("SELECT count(*) FROM vote_history WHERE step_id = @id", new { id = run.Step.Value }));
        Assert.Contains("Vote changed from #1 to #3", Text(response), StringComparison.Ordinal);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_re_delivered_interaction_is_counted_once()
    {
        var run = await h.VotingRunAsync();
        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Alice, BotHarness.Contractor);
        await h.Fake.WaitForResponseAsync(click);

        await h.Fake.Gateway.DispatchAsync("INTERACTION_CREATE", (JsonObject)click.Payload.DeepClone());
        await h.Fake.WaitForAsync(() => click.RejectedCallbacks.Count == 1, what: "the re-delivered interaction's answer");

        Assert.Equal([(BotHarness.Voter(FakeUser.Alice), 1)], await h.VotesAsync(run.Step));
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM vote_history WHERE step_id = @id", new { id = run.Step.Value }));
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM interactions_seen WHERE interaction_id = @id", new { id = click.Id.ToString() }));
        // The only violation is the second callback the fake refused; nothing was stored twice.
        Assert.All(h.Fake.Violations, v => Assert.Contains("answered twice", v.ToString(), StringComparison.Ordinal));
        h.Fake.ClearViolations();
    }

    [Fact]
    public async Task Someone_without_the_contractor_role_is_refused_and_nothing_is_stored()
    {
        var run = await h.VotingRunAsync();
        var before = await h.Db.SnapshotAsync();
        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Carol, roles: []);
        var response = await h.Fake.WaitForResponseAsync(click);

        Assert.Equal(4, Type(response));
        Assert.True(IsEphemeral(response));
        Assert.Contains("Only contractors and researchers", Text(response), StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Forged_custom_ids_get_an_ephemeral_error_and_change_nothing()
    {
        var run = await h.VotingRunAsync();
        var forgedIds = new[] { "vote:abc:1", "vote:999999:1", CustomIds.Vote(run.Step, 1), CustomIds.Vote(run.Step, 9), "propose:1:2" };
        // A message carrying forged buttons, as a modified client could send.
        var forged = h.Fake.Store.AddMessage(run.Thread, h.Fake.Options.BotUserId, fromBot: true, new JsonObject
        {
            ["content"] = "forged",
            ["components"] = new JsonArray(forgedIds.Chunk(5).Select(chunk => (JsonNode)new JsonObject
            {
                ["type"] = 1,
                ["components"] = new JsonArray(chunk.Select(id => (JsonNode)new JsonObject { ["type"] = 2, ["style"] = 1, ["label"] = "x", ["custom_id"] = id }).ToArray()),
            }).ToArray()),
        });
        var before = await h.Db.SnapshotAsync();
        foreach (var id in forgedIds)
        {
            var response = await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, forged.Id, id, FakeUser.Alice, BotHarness.Contractor));
            Assert.Equal(4, Type(response));
            Assert.True(IsEphemeral(response), id);
        }
        Assert.Equal(before, await h.Db.SnapshotAsync());
        Assert.Empty(await h.VotesAsync(run.Step));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_click_on_a_decided_step_says_it_is_decided()
    {
        var run = await h.VotingRunAsync(quorum: 2);
        // Carol's client still shows the open step: her Tag click carries the message as it was.
        var early = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Tag(run.Step), FakeUser.Carol, BotHarness.Researcher);
        await h.Fake.WaitForResponseAsync(early);
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 2), FakeUser.Alice, BotHarness.Contractor));
        var deciding = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 2), FakeUser.Bob, BotHarness.Contractor);
        var decided = await h.Fake.WaitForResponseAsync(deciding);
        Assert.Contains("That decided the step: #2 is chosen.", Text(decided), StringComparison.Ordinal);

        var late = await StaleClickAsync(early, CustomIds.Vote(run.Step, 1));
        var response = await h.Fake.WaitForResponseAsync(late);
        Assert.Equal(4, Type(response));
        Assert.Contains("already decided", Text(response), StringComparison.Ordinal);
        Assert.Equal(2, (await h.VotesAsync(run.Step)).Count);
        h.Fake.AssertNoViolations();
    }

    /// <summary>A click sent from a client that has not yet seen the message's latest edit.</summary>
    private async Task<FakeInteraction> StaleClickAsync(FakeInteraction template, string customId)
    {
        var id = h.Fake.Store.Ids.Next();
        var token = $"tok-{id}-stale";
        var payload = (JsonObject)template.Payload.DeepClone();
        payload["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        payload["token"] = token;
        payload["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 };
        var interaction = new FakeInteraction
        {
            Id = id, Token = token, Type = 3, ChannelId = template.ChannelId, Payload = payload,
            CreatedAt = DateTimeOffset.UtcNow, SourceMessageId = template.SourceMessageId,
        };
        h.Fake.Store.AddInteraction(interaction);
        await h.Fake.Gateway.DispatchAsync("INTERACTION_CREATE", (JsonObject)payload.DeepClone());
        return interaction;
    }
}
