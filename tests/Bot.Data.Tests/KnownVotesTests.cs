using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Testing.Postgres;

namespace Bot.Data.Tests;

/// <summary>
/// A processor does not read back the votes it committed itself (<see cref="KnownVotes"/>); a vote
/// another process stored moves the run's version, and the next batch must read the votes again.
/// </summary>
public sealed class KnownVotesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly TestRuns _runs = new(db);

    [Fact]
    public async Task A_vote_stored_by_another_process_counts_in_the_next_decision_of_this_one()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 3, threshold: 0.9));
        var here = _runs.Processor;
        var elsewhere = new RunCommandProcessor(db.Database, _runs.Time);

        Assert.True((await here.HandleAsync(run, new CastVote(new ActorId("discord:11"), 1, 2), "known-1")).IsSuccess);
        Assert.True((await elsewhere.HandleAsync(run, new CastVote(new ActorId("discord:12"), 1, 2), "known-2")).IsSuccess);
        var third = await here.HandleAsync(run, new CastVote(new ActorId("discord:13"), 1, 2), "known-3");

        // Three votes of three for #2: only a state that includes the other process's vote reaches quorum.
        Assert.True(third.IsSuccess);
        Assert.Equal(3, third.Value.State.Step!.Votes.Count);
        Assert.Contains(third.Value.Events, e => e is StepDecided { Decision.CandidateNumber: 2 });
    }

    [Fact]
    public async Task A_vote_changed_elsewhere_replaces_the_remembered_one()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 100));
        var here = _runs.Processor;
        var elsewhere = new RunCommandProcessor(db.Database, _runs.Time);
        var alice = new ActorId("discord:21");

        await here.HandleAsync(run, new CastVote(alice, 1, 1), "changed-1");
        await elsewhere.HandleAsync(run, new CastVote(alice, 1, 3), "changed-2");
        var again = await here.HandleAsync(run, new CastVote(alice, 1, 3), "changed-3");

        // Alice already votes #3 (stored by the other process): this processor must see it and refuse the no-op.
        Assert.False(again.IsSuccess);
        Assert.Equal(EngineErrors.VoteUnchangedCode, again.Error!.Code);
    }

    [Fact]
    public async Task Votes_cast_in_one_batch_are_remembered_in_the_order_the_database_returns_them()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 100));
        var here = _runs.Processor;
        // One batch: one cast time for all three, so only the voter orders them (by code point).
        await here.HandleManyAsync([.. new[] { "discord:9", "discord:10", "discord:1" }.Select((voter, i) =>
            new RunCommandRequest(run, new CastVote(new ActorId(voter), 1, i + 1), $"order-{voter}"))]);
        _runs.Time.Advance(TimeSpan.FromSeconds(1));
        var next = await here.HandleAsync(run, new CastVote(new ActorId("discord:5"), 1, 1), "order-5");

        var stored = (await new RunCommandProcessor(db.Database, _runs.Time).LoadStateAsync(run)).Value.Step!.Votes;
        Assert.Equal(["discord:1", "discord:10", "discord:9", "discord:5"], stored.Select(v => v.Voter.Value));
        Assert.Equal(stored.Select(v => v.Voter.Value), next.Value.State.Step!.Votes.Select(v => v.Voter.Value));
    }
}
