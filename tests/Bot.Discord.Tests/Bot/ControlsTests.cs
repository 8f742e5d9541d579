using System.Globalization;
using System.Text.Json.Nodes;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Interactions;
using Bot.Discord.Bot.Presenting;
using Bot.Testing.FakeDiscord;
using Dapper;

namespace Bot.Discord.Tests.Bot;

/// <summary>Researchers' controls of stuck steps, driven through Discord events against real PostgreSQL.</summary>
public sealed class ControlsTests(BotHarness h) : IClassFixture<BotHarness>
{
    private static string Text(JsonObject response) => response["data"]?["content"]?.GetValue<string>() ?? "";

    private static bool IsEphemeral(JsonObject response) => ((response["data"]?["flags"]?.GetValue<int>() ?? 0) & 64) != 0;

    private async Task<T?> ScalarAsync<T>(string sql, object args)
    {
        await using var c = await h.Db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<T>(sql, args);
    }

    /// <summary>A run whose step 1 command was decided and then interrupted by a crash, its message showing the controls.</summary>
    private async Task<VotingRun> InterruptedRunAsync()
    {
        var run = await h.VotingRunAsync(quorum: 1);
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 2), FakeUser.Alice, BotHarness.Contractor));
        Assert.True((await h.Get<RunCommandProcessor>().HandleAsync(run.Run, new ExecutionInterrupted(ActorId.System, 1))).IsSuccess);
        Assert.True((await h.Get<IStepPresenter>().RenderStepAsync(run.Run, 1)).IsSuccess);
        var ids = h.Fake.Message(run.Message)!.CustomIds();
        Assert.Contains(CustomIds.Rerun(run.Step), ids);
        Assert.Contains(CustomIds.Skip(run.Step), ids);
        return run;
    }

    [Fact]
    public async Task Re_run_on_an_interrupted_step_runs_the_command_again_as_a_new_attempt()
    {
        var run = await InterruptedRunAsync();
        var refused = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Rerun(run.Step), FakeUser.Alice, BotHarness.Contractor);
        Assert.Contains("Only researchers", Text(await h.Fake.WaitForResponseAsync(refused)), StringComparison.Ordinal);
        Assert.Equal("execution_interrupted", await ScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = run.Run.Value }));

        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Rerun(run.Step), FakeUser.Carol, BotHarness.Researcher);
        var response = await h.Fake.WaitForResponseAsync(click);

        Assert.Equal(7, response["type"]!.GetValue<int>());
        Assert.Equal("executing", await ScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = run.Run.Value }));
        // The second attempt has its own key: the worker runs the chosen command (#2) once more.
        Assert.Equal("make -j2", await ScalarAsync<string>("SELECT payload ->> 'command' FROM work_items WHERE idempotency_key = @k",
            new { k = $"execute:{run.Run}:1:a2" }));
        await h.Fake.WaitForAsync(() => click.FollowupIds.Count == 1, what: "the confirmation");
        Assert.Contains("Running step 1's command again", h.Fake.Message(click.FollowupIds[0])!.Content, StringComparison.Ordinal);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Skip_on_an_interrupted_step_records_a_skipped_observation_and_opens_the_next_step()
    {
        var run = await InterruptedRunAsync();
        var click = await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Skip(run.Step), FakeUser.Carol, BotHarness.Researcher);
        await h.Fake.WaitForResponseAsync(click);

        Assert.Equal(2, await ScalarAsync<int>("SELECT current_step FROM runs WHERE id = @id", new { id = run.Run.Value }));
        Assert.Equal("generating_candidates", await ScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = run.Run.Value }));
        var observation = await ScalarAsync<string>("SELECT o.text FROM observations o JOIN steps s ON s.id = o.step_id WHERE s.run_id = @id AND s.number = 1", new { id = run.Run.Value });
        Assert.Contains("chose to skip it", observation, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM work_items WHERE idempotency_key = @k", new { k = $"generate:{run.Run}:2" }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Run_retry_on_a_step_that_is_not_failed_is_refused_with_the_engines_reason()
    {
        var run = await h.VotingRunAsync();
        var retry = await h.Fake.SlashCommandAsync(run.Thread, "run", [FakeDiscordServer.SubCommand("retry")], FakeUser.Carol, BotHarness.Researcher);
        var response = await h.Fake.WaitForResponseAsync(retry);
        Assert.True(IsEphemeral(response));
        Assert.Contains("voting", Text(response), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("voting", await ScalarAsync<string>("SELECT status FROM runs WHERE id = @id", new { id = run.Run.Value }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Run_deadline_moves_the_current_steps_deadline()
    {
        var run = await h.VotingRunAsync();
        var before = DateTimeOffset.UtcNow;
        var set = await h.Fake.SlashCommandAsync(run.Thread, "run",
            [FakeDiscordServer.SubCommand("deadline", FakeDiscordServer.Option("minutes", 30L))], FakeUser.Carol, BotHarness.Researcher);
        var response = await h.Fake.WaitForResponseAsync(set);
        var after = DateTimeOffset.UtcNow;

        Assert.Contains("now closes <t:", Text(response), StringComparison.Ordinal);
        var deadline = new DateTimeOffset(DateTime.SpecifyKind((await ScalarAsync<DateTime?>("SELECT deadline FROM steps WHERE id = @id", new { id = run.Step.Value }))!.Value, DateTimeKind.Utc));
        Assert.InRange(deadline, before.AddMinutes(30).AddSeconds(-1), after.AddMinutes(30).AddSeconds(1));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM run_events WHERE run_id = @id AND type = 'DeadlineSet'", new { id = run.Run.Value }));
        h.Fake.AssertNoViolations();
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(10081L)]
    public async Task Run_deadline_with_a_bad_value_explains_the_range_and_changes_nothing(long minutes)
    {
        var run = await h.VotingRunAsync();
        var before = await h.Db.SnapshotAsync();
        var set = await h.Fake.SlashCommandAsync(run.Thread, "run",
            [FakeDiscordServer.SubCommand("deadline", FakeDiscordServer.Option("minutes", minutes))], FakeUser.Carol, BotHarness.Researcher);
        var response = await h.Fake.WaitForResponseAsync(set);

        Assert.True(IsEphemeral(response));
        Assert.Contains("from 1 to 10080", Text(response), StringComparison.Ordinal);
        Assert.Equal(before, await h.Db.SnapshotAsync());
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Run_deadline_is_for_researchers_only()
    {
        var run = await h.VotingRunAsync();
        var set = await h.Fake.SlashCommandAsync(run.Thread, "run",
            [FakeDiscordServer.SubCommand("deadline", FakeDiscordServer.Option("minutes", 30L))], FakeUser.Alice, BotHarness.Contractor);
        Assert.Contains("Only researchers", Text(await h.Fake.WaitForResponseAsync(set)), StringComparison.Ordinal);
        Assert.Null(await ScalarAsync<DateTime?>("SELECT deadline FROM steps WHERE id = @id", new { id = run.Step.Value }));
    }

    [Fact]
    public async Task Run_status_names_the_runs_dead_work_items_with_the_last_error_made_safe()
    {
        var run = await h.VotingRunAsync();
        await using (var c = await h.Db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO work_items (kind, run_id, step_number, idempotency_key, payload, status, attempts, next_attempt_at, last_error, created_at, completed_at)
                VALUES ('ExecuteAction', @run, 1, @key, '{}'::jsonb, 'dead', 6, now(), @error, now(), now())
                """, new { run = run.Run.Value, key = $"test-dead:{run.Run}", error = "sandbox exploded @everyone ```rm -rf```\n" + new string('x', 3000) });
        }

        var status = await h.Fake.SlashCommandAsync(run.Thread, "run", [FakeDiscordServer.SubCommand("status")], FakeUser.Alice, BotHarness.Contractor);
        var text = Text(await h.Fake.WaitForResponseAsync(status));

        Assert.Contains("Dead work items: 1** (ExecuteAction)", text, StringComparison.Ordinal);
        Assert.Contains("sandbox exploded", text, StringComparison.Ordinal);
        Assert.DoesNotContain("```", text, StringComparison.Ordinal);
        Assert.Contains("work requeue", text, StringComparison.Ordinal);
        Assert.InRange(text.Length, 1, 2000);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Run_status_tree_and_run_suggestions_are_only_for_the_team()
    {
        var run = await h.VotingRunAsync();
        foreach (var sub in new[] { "status", "tree" })
        {
            var outsider = await h.Fake.SlashCommandAsync(run.Thread, "run", [FakeDiscordServer.SubCommand(sub)], FakeUser.Bob, roles: []);
            var refused = Text(await h.Fake.WaitForResponseAsync(outsider));
            Assert.Contains("Only contractors and researchers", refused, StringComparison.Ordinal);
            Assert.DoesNotContain("fix-the-build", refused, StringComparison.Ordinal);
        }

        var suggest = (ulong channel, ulong[] roles) => h.Fake.AutocompleteAsync(channel, "run",
            [FakeDiscordServer.SubCommand("status", FakeDiscordServer.Option("run", "", focused: true))], FakeUser.Bob, roles);
        var forOutsider = await h.Fake.WaitForResponseAsync(await suggest(h.Fake.DefaultChannelId, []));
        var forContractor = await h.Fake.WaitForResponseAsync(await suggest(h.Fake.DefaultChannelId, BotHarness.Contractor));
        Assert.Empty(forOutsider["data"]!["choices"]!.AsArray());
        Assert.NotEmpty(forContractor["data"]!["choices"]!.AsArray());
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task An_outsider_replying_again_and_again_to_a_step_is_answered_once()
    {
        var run = await h.VotingRunAsync();
        var memory = h.Get<RefusalMemory>();
        bool Refusal(FakeMessage m) => m.FromBot && m.Content == BotRoles.NotParticipant;

        await h.Fake.PostUserMessageAsync(run.Thread, "ls", FakeUser.Bob, run.Message, roles: []);
        await h.Fake.WaitForAsync(() => h.Fake.MessagesIn(run.Thread).Any(Refusal), what: "the first refusal");
        var suppressedBefore = memory.Suppressed;
        await h.Fake.PostUserMessageAsync(run.Thread, "ls -la", FakeUser.Bob, run.Message, roles: []);
        await h.Fake.PostUserMessageAsync(run.Thread, "pwd", FakeUser.Bob, run.Message, roles: []);
        // Positive event: the handler saw both replies and chose to stay quiet.
        await h.Fake.WaitForAsync(() => memory.Suppressed >= suppressedBefore + 2, what: "the two repeated replies to be handled");

        Assert.Single(h.Fake.MessagesIn(run.Thread), Refusal);
        Assert.Equal(0L, await h.CountAsync("SELECT count(*) FROM candidates WHERE step_id = @id AND source <> 'model'", new { id = run.Step.Value }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task The_presenters_locks_do_not_grow_with_the_number_of_steps_rendered()
    {
        var presenter = (StepPresenter)h.Get<IStepPresenter>();
        var before = presenter.LockCount;
        for (var i = 0; i < 3; i++) await h.VotingRunAsync();
        Assert.Equal(before, presenter.LockCount);
    }
}
