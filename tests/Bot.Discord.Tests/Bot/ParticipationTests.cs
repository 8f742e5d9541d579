using System.Globalization;
using System.Text.Json.Nodes;
using Bot.Discord.Bot;
using Bot.Testing.FakeDiscord;

namespace Bot.Discord.Tests.Bot;

/// <summary>Proposals, ratings, tags and researcher commands, driven through Discord events only.</summary>
public sealed class ParticipationTests(BotHarness h) : IClassFixture<BotHarness>
{
    private static int Type(JsonObject response) => response["type"]!.GetValue<int>();

    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";

    [Fact]
    public async Task A_proposal_from_the_modal_becomes_a_candidate_with_its_own_button_and_takes_the_vote()
    {
        var run = await h.VotingRunAsync();
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Alice, BotHarness.Contractor));
        var open = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Propose(run.Step), FakeUser.Alice, BotHarness.Contractor);
        var modal = await h.Fake.WaitForResponseAsync(open);
        Assert.Equal(9, Type(modal));
        Assert.Equal(CustomIds.ProposalModal(run.Step), modal["data"]!["custom_id"]!.GetValue<string>());

        var submit = await h.Fake.SubmitModalAsync(run.Thread, CustomIds.ProposalModal(run.Step), new Dictionary<string, string>
        {
            [CustomIds.Inputs.Action] = "make clean && make",
            [CustomIds.Inputs.Kind] = "bash",
            [CustomIds.Inputs.Rationale] = "Stale objects break the build",
            [CustomIds.Inputs.KeepVote] = "",
        }, FakeUser.Alice, BotHarness.Contractor, run.Message);
        var response = await h.Fake.WaitForResponseAsync(submit);
        Assert.Equal(4, Type(response));
        Assert.Contains("Proposal added", Text(response), StringComparison.Ordinal);

        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM candidates WHERE step_id = @id AND source = 'contractor' AND text = 'make clean && make'", new { id = run.Step.Value }));
        Assert.Equal([(BotHarness.Voter(FakeUser.Alice), 4)], await h.VotesAsync(run.Step));
        await h.Fake.WaitForAsync(() => h.Fake.Message(run.Message)!.CustomIds().Contains(CustomIds.Vote(run.Step, 4)), what: "the step message to show candidate 4");
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Ratings_are_stored_once_per_value_and_a_change_is_recorded()
    {
        var run = await h.VotingRunAsync();
        var open = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Rate(run.Step), FakeUser.Bob, BotHarness.Contractor);
        Assert.Equal(4, Type(await h.Fake.WaitForResponseAsync(open)));
        var panel = open.OriginalMessageId!.Value;

        foreach (var value in new[] { "1", "1", "-2" })
        {
            var select = await h.Fake.SelectAsync(run.Thread, panel, CustomIds.RatingSelect(run.Step, 2), [value], FakeUser.Bob, BotHarness.Contractor);
            var response = await h.Fake.WaitForResponseAsync(select);
            Assert.Equal(7, Type(response));
            Assert.StartsWith("Saved: #2 rated", Text(response), StringComparison.Ordinal);
        }
        Assert.Equal(2, await h.CountAsync("SELECT count(*) FROM ratings WHERE step_id = @id", new { id = run.Step.Value }));
        Assert.Equal(-2, await h.CountAsync("SELECT value FROM ratings WHERE step_id = @id ORDER BY id DESC LIMIT 1", new { id = run.Step.Value }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Tags_are_stored_once_per_selection_and_comments_once_per_text()
    {
        var run = await h.VotingRunAsync();
        var open = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Tag(run.Step), FakeUser.Alice, BotHarness.Contractor);
        Assert.Equal(4, Type(await h.Fake.WaitForResponseAsync(open)));
        var panel = open.OriginalMessageId!.Value;
        foreach (var tags in new[] { new[] { "planning", "coding" }, ["coding", "planning"], ["hallucination"] })
        {
            var select = await h.Fake.SelectAsync(run.Thread, panel, CustomIds.TagSelect(run.Step), tags, FakeUser.Alice, BotHarness.Contractor);
            Assert.Equal(7, Type(await h.Fake.WaitForResponseAsync(select)));
        }
        // The re-ordered repeat of the first set is not a change; the third set replaces the first.
        Assert.Equal(2, await h.CountAsync("SELECT count(*) FROM tag_sets WHERE step_id = @id", new { id = run.Step.Value }));
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM current_tags WHERE step_id = @id AND tag = 'hallucination'", new { id = run.Step.Value }));
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM current_tags WHERE step_id = @id", new { id = run.Step.Value }));

        for (var i = 0; i < 2; i++)
        {
            var comment = await h.Fake.SubmitModalAsync(run.Thread, CustomIds.CommentModal(run.Step),
                new Dictionary<string, string> { [CustomIds.Inputs.Comment] = "The model ignored the error message." }, FakeUser.Alice, BotHarness.Contractor);
            Assert.Contains("Comment saved", Text(await h.Fake.WaitForResponseAsync(comment)), StringComparison.Ordinal);
        }
        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM comments WHERE step_id = @id", new { id = run.Step.Value }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Task_start_opens_a_named_thread_posts_the_card_and_stores_the_run()
    {
        var channel = h.Fake.DefaultChannelId;
        var start = await h.Fake.SlashCommandAsync(channel, "task",
            [FakeDiscordServer.SubCommand("start", FakeDiscordServer.Option("task", "fix-the-build"), FakeDiscordServer.Option("model", "gpt-test"),
                FakeDiscordServer.Option("candidates", 2L), FakeDiscordServer.Option("mode", "hybrid"), FakeDiscordServer.Option("quorum", 3L),
                FakeDiscordServer.Option("blind", false))],
            FakeUser.Carol, BotHarness.Researcher);
        Assert.Equal(5, Type(await h.Fake.WaitForResponseAsync(start)));
        await h.Fake.WaitForAsync(() => start.OriginalMessageId is { } m && h.Fake.Message(m)?.Content?.StartsWith("Started run", StringComparison.Ordinal) == true,
            what: "the deferred answer");

        var runId = await h.CountAsync("SELECT id FROM runs WHERE created_by = @by ORDER BY id DESC LIMIT 1", new { by = BotHarness.Voter(FakeUser.Carol) });
        var thread = ulong.Parse((await ScalarAsync<string>("SELECT discord_thread_id FROM runs WHERE id = @id", new { id = runId }))!, CultureInfo.InvariantCulture);
        var channelInfo = h.Fake.Store.FindChannel(thread)!;
        Assert.Equal(11, channelInfo.Type);
        Assert.Equal($"Run {runId} · fix-the-build", channelInfo.Name);
        Assert.Equal(channel, channelInfo.ParentId);
        var card = Assert.Single(h.Fake.MessagesIn(thread));
        Assert.Contains("Fix the build", card.Json["embeds"]![0]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("hybrid", await ScalarAsync<string>("SELECT mode FROM runs WHERE id = @id", new { id = runId }));
        Assert.Equal(3, await h.CountAsync("SELECT (settings -> 'policy' ->> 'quorum')::bigint FROM runs WHERE id = @id", new { id = runId }));
        // The task file's limits and tags are the run's (fix-the-build: 2 steps, 15 minutes, tags shell and build).
        Assert.Equal(2, await h.CountAsync("SELECT (settings ->> 'max_steps')::bigint FROM runs WHERE id = @id", new { id = runId }));
        Assert.Equal("00:15:00", await ScalarAsync<string>("SELECT settings ->> 'time_limit' FROM runs WHERE id = @id", new { id = runId }));
        Assert.Equal("shell,build", await ScalarAsync<string>("SELECT array_to_string(tags, ',') FROM runs WHERE id = @id", new { id = runId }));
        var fields = card.Json["embeds"]![0]!["fields"]!.AsArray().ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["value"]!.GetValue<string>());
        Assert.Equal("2 steps, 15 min", fields["Limits"]);
        Assert.Equal("plurality, else the judge, else extend", fields["At the deadline"]);
        Assert.Equal("the judge", fields["Ties"]);
        Assert.NotEmpty(h.Fake.Store.Commands(h.Fake.GuildId.ToString(CultureInfo.InvariantCulture)));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Task_start_in_vote_mode_uses_the_vote_preset_and_refuses_a_judge_fallback_without_storing_a_run()
    {
        var channel = h.Fake.DefaultChannelId;
        var before = await h.CountAsync("SELECT coalesce(max(id), 0) FROM runs", new { });
        var refused = await h.Fake.SlashCommandAsync(channel, "task",
            [FakeDiscordServer.SubCommand("start", FakeDiscordServer.Option("task", "fix-the-build"), FakeDiscordServer.Option("model", "gpt-test"),
                FakeDiscordServer.Option("mode", "vote"), FakeDiscordServer.Option("fallback", "judge"))],
            FakeUser.Carol, BotHarness.Researcher);
        Assert.Contains("the judge never does", Text(await h.Fake.WaitForResponseAsync(refused)), StringComparison.Ordinal);
        Assert.Equal(before, await h.CountAsync("SELECT coalesce(max(id), 0) FROM runs", new { }));

        var start = await h.Fake.SlashCommandAsync(channel, "task",
            [FakeDiscordServer.SubCommand("start", FakeDiscordServer.Option("task", "fix-the-build"), FakeDiscordServer.Option("model", "gpt-test"),
                FakeDiscordServer.Option("mode", "vote"), FakeDiscordServer.Option("threshold", 0.66), FakeDiscordServer.Option("ties", "extend"))],
            FakeUser.Carol, BotHarness.Researcher);
        Assert.Equal(5, Type(await h.Fake.WaitForResponseAsync(start)));
        await h.Fake.WaitForAsync(() => start.OriginalMessageId is { } m && h.Fake.Message(m)?.Content?.StartsWith("Started run", StringComparison.Ordinal) == true,
            what: "the deferred answer");
        var policy = await ScalarAsync<string>("SELECT settings -> 'policy' ->> 'fallback' || '/' || (settings -> 'policy' ->> 'ties') || '/' || (settings -> 'policy' ->> 'threshold') FROM runs WHERE id > @before", new { before });
        Assert.Equal("plurality_then_extend/extend/0.66", policy);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Researchers_pause_a_run_from_its_thread_and_contractors_cannot()
    {
        var run = await h.VotingRunAsync();
        var refused = await h.Fake.SlashCommandAsync(run.Thread, "run", [FakeDiscordServer.SubCommand("pause")], FakeUser.Alice, BotHarness.Contractor);
        Assert.Contains("Only researchers", Text(await h.Fake.WaitForResponseAsync(refused)), StringComparison.Ordinal);
        var pause = await h.Fake.SlashCommandAsync(run.Thread, "run", [FakeDiscordServer.SubCommand("pause")], FakeUser.Carol, BotHarness.Researcher);
        Assert.Contains("paused", Text(await h.Fake.WaitForResponseAsync(pause)), StringComparison.Ordinal);
        Assert.Equal("paused", await ScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = run.Run.Value }));

        // The paused step's render may already have disabled the buttons; a client that had not
        // received that edit can still click, and the bot must refuse it.
        var vote = await h.Fake.ClickButtonAsSeenBeforeAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Alice, BotHarness.Contractor);
        Assert.Contains("paused", Text(await h.Fake.WaitForResponseAsync(vote)), StringComparison.Ordinal);
        Assert.Empty(await h.VotesAsync(run.Step));
        h.Fake.AssertNoViolations();
    }

    private async Task<T?> ScalarAsync<T>(string sql, object args)
    {
        await using var c = await h.Db.DataSource.OpenConnectionAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<T>(c, sql, args);
    }
}

/// <summary>Thread replies to the step message (MESSAGE_CREATE with the Message Content intent).</summary>
public sealed class ReplyProposalTests(BotHarness h) : IClassFixture<BotHarness>
{
    [Fact]
    public async Task A_reply_to_the_step_message_becomes_a_proposal_once()
    {
        var run = await h.VotingRunAsync();
        var reply = await h.Fake.PostUserMessageAsync(run.Thread, "submit: ```\nThe build passes now.\n```", FakeUser.Bob, run.Message, BotHarness.Contractor);
        await h.Fake.WaitForAsync(() => h.Fake.MessagesIn(run.Thread).Any(m => m.FromBot && m.Content?.StartsWith("Added your submit proposal", StringComparison.Ordinal) == true),
            what: "the bot's reply");
        // Re-delivery of the same MESSAGE_CREATE adds nothing.
        await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", (JsonObject)reply.Json.DeepClone());
        await h.Fake.WaitForAsync(() => h.Fake.Message(run.Message)!.CustomIds().Contains(CustomIds.Vote(run.Step, 4)), what: "the new candidate's button");

        Assert.Equal(1, await h.CountAsync("SELECT count(*) FROM candidates WHERE step_id = @id AND kind = 'submit' AND text = 'The build passes now.'", new { id = run.Step.Value }));
        Assert.Equal([(BotHarness.Voter(FakeUser.Bob), 4)], await h.VotesAsync(run.Step));
        h.Fake.AssertNoViolations();
    }
}
