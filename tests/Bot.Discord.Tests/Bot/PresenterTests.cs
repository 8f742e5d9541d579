using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Discord.Bot;
using Bot.Discord.Bot.Presenting;
using Bot.Testing.FakeDiscord;
using Dapper;

namespace Bot.Discord.Tests.Bot;

/// <summary>The presenter the RenderStepWork handler calls: one message per step, edits afterwards, threads for sub-runs.</summary>
public sealed class PresenterTests(BotHarness h) : IClassFixture<BotHarness>
{
    private IStepPresenter Presenter => h.Get<IStepPresenter>();

    private int StepMessages(ulong thread) => h.Fake.MessagesIn(thread).Count(m => m.CustomIds().Any(id => id.StartsWith("vote:", StringComparison.Ordinal)));

    [Fact]
    public async Task Rendering_a_step_again_edits_its_message_instead_of_posting_another()
    {
        var run = await h.VotingRunAsync();
        Assert.True((await Presenter.RenderStepAsync(run.Run, 1)).IsSuccess);
        Assert.True((await Presenter.RenderStepAsync(run.Run, 1)).IsSuccess);
        Assert.Equal(1, StepMessages(run.Thread));
        Assert.Equal(2, h.Fake.Message(run.Message)!.EditCount);
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_crash_between_posting_and_storing_the_message_id_does_not_post_the_step_twice()
    {
        var run = await h.VotingRunAsync();
        // As if the process died after Discord created the message but before the id was stored.
        await using (var c = await h.Db.DataSource.OpenConnectionAsync())
            await c.ExecuteAsync("UPDATE steps SET discord_message_id = NULL WHERE id = @id", new { id = run.Step.Value });

        Assert.True((await Presenter.RenderStepAsync(run.Run, 1)).IsSuccess);
        Assert.Equal(1, StepMessages(run.Thread));
        await using var check = await h.Db.DataSource.OpenConnectionAsync();
        Assert.Equal(run.Message.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await check.ExecuteScalarAsync<string>("SELECT discord_message_id FROM steps WHERE id = @id", new { id = run.Step.Value }));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task The_decided_step_and_its_observation_are_posted_and_the_next_step_gets_its_own_message()
    {
        var run = await h.VotingRunAsync(quorum: 1);
        await h.Fake.WaitForResponseAsync(await h.Fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(run.Step, 1), FakeUser.Alice, BotHarness.Contractor));
        var processor = h.Get<RunCommandProcessor>();
        var output = string.Concat(Enumerable.Repeat("error: missing ``` semicolon @everyone\n", 200));
        Assert.True((await processor.HandleAsync(run.Run, new ExecutionFinished(ActorId.System, 1, new Observation(output, ExitCode: 2)))).IsSuccess);
        Assert.True((await Presenter.PostObservationAsync(run.Run, 1)).IsSuccess);
        Assert.True((await Presenter.PostObservationAsync(run.Run, 1)).IsSuccess);
        Assert.True((await Presenter.RenderStepAsync(run.Run, 1)).IsSuccess);

        var observation = Assert.Single(h.Fake.MessagesIn(run.Thread), m => m.Content?.StartsWith("**Step 1 result** (exit 2)", StringComparison.Ordinal) == true);
        Assert.Equal(output, System.Text.Encoding.UTF8.GetString(Assert.Single(observation.Files).Value));
        var decided = h.Fake.Message(run.Message)!;
        Assert.Contains("**Chosen:** #1 by consensus", decided.Json["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);

        var generated = new[] { new NewCandidate(CandidateKind.Submit, "done", null, CandidateSource.Model, ActorId.Model("gpt-test")) };
        Assert.True((await processor.HandleAsync(run.Run, new CandidatesGenerated(ActorId.Model("gpt-test"), 2, generated))).IsSuccess);
        Assert.True((await Presenter.RenderStepAsync(run.Run, 2)).IsSuccess);
        Assert.Equal(2, StepMessages(run.Thread));
        h.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_sub_run_gets_its_own_thread_linked_both_ways()
    {
        var parent = await h.VotingRunAsync();
        var child = (await h.Get<Core.Ports.IRunCommands>().StartRunAsync(new Core.Ports.StartRunRequest("write-docs", "Document it.", "gpt-test",
            new RunSettings(RunMode.Vote, ConsensusPolicy.Default), ActorId.System, Parent: new(parent.Run, 1)))).Value;
        var thread = (await Presenter.EnsureThreadAsync(child)).Value;
        Assert.Equal(thread, (await Presenter.EnsureThreadAsync(child)).Value);

        Assert.Contains(h.Fake.MessagesIn(thread), m => m.Content == $"Sub-run of run {parent.Run}: <#{parent.Thread}>");
        Assert.Contains(h.Fake.MessagesIn(parent.Thread), m => m.Content == $"Sub-run started: run {child} in <#{thread}>");
        Assert.Equal(2, h.Fake.Store.Channels.Count(c => c.Type == 11 && (c.Id == thread || c.Id == parent.Thread)));
        h.Fake.AssertNoViolations();
    }
}
