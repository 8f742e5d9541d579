using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data.Ports;
using Bot.Data.Reads;
using Bot.Testing.Postgres;
using Dapper;
using Npgsql;

namespace Bot.Data.Tests;

/// <summary>The query classes every view reads (steps, runs, the tree, participation) and the chat references.</summary>
public sealed class ReadModelTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly TestRuns _runs = new(db);

    [Fact]
    public async Task The_tree_hangs_sub_runs_below_their_parent_and_forks_below_their_origin_from_any_member()
    {
        var parent = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 3));
        var child = (await _runs.Processor.StartRunAsync(new("sub", "sub task", "test-model", TestRuns.Settings(), TestRuns.Researcher, Parent: new(parent, 1)))).Value.State.RunId;
        var grandchild = (await _runs.Processor.StartRunAsync(new("subsub", "x", "test-model", TestRuns.Settings(), TestRuns.Researcher, Parent: new(child, 1)))).Value.State.RunId;
        var fork = (await _runs.Processor.StartRunAsync(new("task", "do the task", "test-model", TestRuns.Settings(), TestRuns.Researcher,
            Branch: new BranchOf(new StepId(await _runs.StepIdAsync(parent, 1)), BranchKind.Fork)))).Value.State.RunId;

        var tree = (await new RunTreeQueries(db.Database).GetTreeAsync(grandchild)).Value;

        Assert.Equal(parent, tree.Run.RunId);
        Assert.Equal([child, fork], tree.Children.Select(c => c.Run.RunId));
        Assert.Equal(grandchild, Assert.Single(tree.Children[0].Children).Run.RunId);
        var forkRun = tree.Children[1].Run;
        Assert.Equal((BranchKind?)BranchKind.Fork, forkRun.Branch);
        Assert.Equal(parent, forkRun.BranchedFromRun);
        Assert.Null(forkRun.ParentRunId);
        Assert.Equal(child, tree.Children[0].Run.RunId);
        Assert.Equal(parent, tree.Children[0].Run.ParentRunId);
        Assert.False((await new RunTreeQueries(db.Database).GetTreeAsync(new RunId(999_999))).IsSuccess);
    }

    [Fact]
    public async Task A_step_view_shows_candidates_votes_the_decision_and_the_sub_run_its_delegation_started()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 2));
        var steps = new StepQueries(db.Database);
        await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:20"), 1, 3));

        var open = (await steps.GetStepAsync(run, 1)).Value;
        Assert.Equal(["ls", "pwd", "echo hi"], open.Candidates.Select(c => c.Text));
        Assert.Equal(CandidateSource.Model, open.Candidates[0].Source);
        Assert.Equal(3, Assert.Single(open.Votes).CandidateNumber);
        Assert.Null(open.Decision);
        Assert.True(open.OpenForVotes);
        Assert.Equal(RunMode.Vote, open.Mode);

        _runs.Time.Advance(TimeSpan.FromSeconds(5));
        await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:21"), 1, 3));
        var decided = (await steps.GetStepAsync(open.StepId)).Value;
        Assert.Equal(3, decided.Decision!.CandidateNumber);
        Assert.Equal(DecisionMethod.Consensus, decided.Decision.Method);
        Assert.Equal(_runs.Time.GetUtcNow(), decided.Decision.DecidedAt);
        Assert.Equal(RunStatus.Executing, decided.RunStatus);

        await _runs.Processor.HandleAsync(run, new ExecutionFinished(TestRuns.Model, 1, new Observation("out", 0, TimeSpan.FromMilliseconds(1500))));
        var child = (await _runs.Processor.StartRunAsync(new("sub", "sub task", "test-model", TestRuns.Settings(), TestRuns.Researcher, Parent: new(run, 2)))).Value.State.RunId;
        var second = (await steps.GetStepAsync(run, 2)).Value;
        Assert.Equal(new Observation("out", 0, TimeSpan.FromMilliseconds(1500)), second.LastObservation);
        Assert.Equal(new Observation("out", 0, TimeSpan.FromMilliseconds(1500)), (await steps.GetStepAsync(run, 1)).Value.Observation);
        Assert.Equal(child, Assert.Single(second.SubRuns).RunId);
        Assert.Empty((await steps.GetStepAsync(run, 1)).Value.SubRuns);
        Assert.False((await steps.GetStepAsync(run, 9)).IsSuccess);
    }

    [Fact]
    public async Task The_first_stored_chat_reference_wins_and_finds_the_run_again()
    {
        var run = await _runs.StartVotingRunAsync();
        var step = new StepId(await _runs.StepIdAsync(run, 1));
        var refs = new ChatRefsPort(db.Database);
        var runs = new RunQueries(db.Database);

        Assert.Equal(new ChatRef("thread-1"), await refs.SetThreadAsync(run, new ChatRef("thread-1")));
        Assert.Equal(new ChatRef("thread-1"), await refs.SetThreadAsync(run, new ChatRef("thread-2")));
        Assert.Equal(new ChatRef("message-1"), await refs.SetStepMessageAsync(step, new ChatRef("message-1")));
        Assert.Equal(new ChatRef("message-1"), await refs.SetStepMessageAsync(step, new ChatRef("message-2")));

        Assert.Equal(run, (await runs.FindByThreadAsync(new ChatRef("thread-1")))!.RunId);
        Assert.Null(await runs.FindByThreadAsync(new ChatRef("thread-2")));
        var view = (await new StepQueries(db.Database).GetStepAsync(step)).Value;
        Assert.Equal((new ChatRef("thread-1"), new ChatRef("message-1")), (view.Thread!.Value, view.Message!.Value));
        await Assert.ThrowsAsync<InvalidOperationException>(() => refs.SetStepMessageAsync(new StepId(999_999), new ChatRef("x")));
    }

    [Fact]
    public async Task A_steps_place_is_read_again_until_its_message_is_posted_and_then_answered_without_the_database()
    {
        var run = await _runs.StartVotingRunAsync();
        var step = new StepId(await _runs.StepIdAsync(run, 1));
        var refs = new ChatRefsPort(db.Database);
        var source = NpgsqlDataSource.Create(db.ConnectionString);
        var steps = new StepQueries(new BotDatabase(source));

        await refs.SetThreadAsync(run, new ChatRef("thread-p"));
        Assert.Null((await steps.GetPlaceAsync(step)).Value.Message);
        await refs.SetStepMessageAsync(step, new ChatRef("message-p"));
        Assert.Equal(new ChatRef("message-p"), (await steps.GetPlaceAsync(step)).Value.Message);

        // Posted: the place cannot change any more, so a vote on it needs no connection to find it.
        await source.DisposeAsync();
        var known = (await steps.GetPlaceAsync(step)).Value;
        Assert.Equal((run, 1, new ChatRef("thread-p"), new ChatRef("message-p")), (known.RunId, known.Number, known.Thread!.Value, known.Message!.Value));
    }

    [Fact]
    public async Task A_run_summary_carries_its_settings_and_lists_filter_by_status_and_name()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 4, mode: RunMode.Hybrid));
        var runs = new RunQueries(db.Database);

        var summary = (await runs.GetRunAsync(run)).Value;
        Assert.Equal(4, summary.Settings.Policy.Quorum);
        Assert.Equal(RunMode.Hybrid, summary.Mode);
        Assert.Equal(RunStatus.Voting, summary.Status);
        Assert.Equal(1, summary.StepCount);
        Assert.Equal(TestRuns.Researcher, summary.CreatedBy);
        Assert.Null(summary.Thread);

        Assert.Contains(await runs.ListRunsAsync(activeOnly: true, search: "tas"), r => r.RunId == run);
        Assert.DoesNotContain(await runs.ListRunsAsync(activeOnly: true, search: "t_sk"), r => r.RunId == run);
        await _runs.Processor.HandleAsync(run, new AbortRun(TestRuns.Researcher, "done"));
        Assert.DoesNotContain(await runs.ListRunsAsync(activeOnly: true), r => r.RunId == run);
        Assert.Contains(await runs.ListRunsAsync(activeOnly: false, search: run.ToString()), r => r.RunId == run);
    }

    [Fact]
    public async Task Participation_counts_a_voters_votes_that_matched_the_decision()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 2));
        var voter = new ActorId($"discord:{Guid.NewGuid():N}");
        await _runs.Processor.HandleAsync(run, new CastVote(voter, 1, 2));
        await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:other"), 1, 2));

        var stats = await new ParticipationQueries(db.Database).GetParticipantStatsAsync(voter);

        Assert.Equal(new ParticipantStats(voter, 1, 1, 1, 0, 0, 0, 0), stats);
        Assert.Equal(1.0, stats.Agreement);
    }
}
