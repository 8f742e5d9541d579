using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using System.Text.Json;
using Bot.Data.Stores;
using Bot.Testing.Postgres;

namespace Bot.Data.Tests;

/// <summary>
/// A processor decides from the runs as it last committed them (<see cref="KnownRuns"/>) without
/// loading them; a command another process stored moves the run's version, and the database must
/// then refuse the batch so that it is loaded and decided again.
/// </summary>
public sealed class KnownRunsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly TestRuns _runs = new(db);

    // Not DataJson: its string converter makes text storable, which would hide the difference looked for.
    private static string Exact(RunState state) => JsonSerializer.Serialize(state);

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

    [Fact]
    public async Task A_refusal_decided_from_memory_is_checked_against_the_stored_version()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 100));
        var here = _runs.Processor;
        var elsewhere = new RunCommandProcessor(db.Database, _runs.Time);
        var alice = new ActorId("discord:31");

        await here.HandleAsync(run, new CastVote(alice, 1, 1), "refusal-1");
        await elsewhere.HandleAsync(run, new CastVote(alice, 1, 3), "refusal-2");
        // From memory alice still votes #1, so this would be refused as unchanged; it is a change from #3.
        // Without an interaction id (a refusal with one is always loaded), only the version check can tell.
        var back = await here.HandleAsync(run, new CastVote(alice, 1, 1));

        Assert.True(back.IsSuccess, back.Error?.ToString());
        Assert.Equal(1, Assert.Single(back.Value.State.Step!.Votes).CandidateNumber);
        Assert.Equal(1, Assert.Single((await elsewhere.LoadStateAsync(run)).Value.Step!.Votes).CandidateNumber);
    }

    [Fact]
    public async Task A_duplicate_interaction_decided_from_memory_changes_nothing()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 100));
        var here = _runs.Processor;
        await here.HandleAsync(run, new CastVote(new ActorId("discord:41"), 1, 1), "dup-1");

        // The same interaction again, with another vote: the run is known here, so only the key of interactions_seen can tell.
        var again = await here.HandleAsync(run, new CastVote(new ActorId("discord:41"), 1, 2), "dup-1");

        Assert.True(again.Value.Duplicate);
        Assert.Equal(1, Assert.Single((await here.LoadStateAsync(run)).Value.Step!.Votes).CandidateNumber);
    }

    [Fact]
    public async Task A_proposal_with_unstorable_text_is_decided_on_as_it_was_stored()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 100));
        var here = _runs.Processor;
        var bob = new ActorId("discord:51");
        var proposed = await here.HandleAsync(run, new ProposeCandidate(bob, 1,
            new NewCandidate(CandidateKind.Bash, "echo a\0b", "why \uD800", CandidateSource.Contractor, bob)), "nul-1");
        Assert.True(proposed.IsSuccess, proposed.Error?.ToString());

        // Decided from memory: the candidate it carries is the stored one (NUL and the lone surrogate replaced).
        var vote = await here.HandleAsync(run, new CastVote(new ActorId("discord:52"), 1, 4), "nul-2");

        var stored = (await new RunCommandProcessor(db.Database, _runs.Time).LoadStateAsync(run)).Value;
        Assert.Equal("echo a\uFFFDb", stored.Step!.FindCandidate(4)!.Text);
        Assert.Equal(Exact(stored), Exact(vote.Value.State));
    }

    [Fact]
    public async Task A_sub_run_started_while_its_parent_was_paused_is_the_one_the_parent_accepts()
    {
        var here = _runs.Processor;
        var started = await here.StartRunAsync(new StartRunRequest("task", "do the task", "test-model", TestRuns.Settings(quorum: 1), TestRuns.Researcher));
        var run = started.Value.State.RunId;
        await here.HandleAsync(run, new CandidatesGenerated(TestRuns.Model, 1,
            [new NewCandidate(CandidateKind.Delegate, "find the config", "a sub-task", CandidateSource.Model, TestRuns.Model)]));
        var decided = await here.HandleAsync(run, new CastVote(new ActorId("discord:71"), 1, 1), "sub-1");
        Assert.Equal(RunStatus.WaitingOnSubRun, decided.Value.State.Status);
        Assert.True((await here.HandleAsync(run, new PauseRun(TestRuns.Researcher))).IsSuccess);

        // The worker starts the child after the pause: the parent's version does not move.
        var child = await here.StartRunAsync(new StartRunRequest("task", "find the config", "test-model", TestRuns.Settings(), TestRuns.Researcher,
            Parent: new SubRunOf(run, 1)));
        var finished = await here.HandleAsync(run, new SubRunFinished(ActorId.System, 1, child.Value.State.RunId, RunStatus.Completed, "in /etc"));

        Assert.True(finished.IsSuccess, finished.Error?.ToString());
        Assert.Equal(RunStatus.Paused, finished.Value.State.Status);
    }

    /// <summary>Every kind of value the engine writes, with text the database cannot keep as is and times finer than it stores.</summary>
    [Fact]
    public async Task A_remembered_state_is_the_state_a_load_reads_back()
    {
        var here = _runs.Processor;
        var reader = new RunCommandProcessor(db.Database, _runs.Time);
        var started = await here.StartRunAsync(new StartRunRequest("task", "do the task", "test-model", TestRuns.Settings(quorum: 2), TestRuns.Researcher));
        var run = started.Value.State.RunId;
        var contractor = new ActorId("discord:61");
        async Task Step(RunCommand command, string? interaction = null)
        {
            _runs.Time.Advance(TimeSpan.FromTicks(10_000_007));
            var result = await here.HandleAsync(run, command, interaction);
            Assert.True(result.IsSuccess, $"{command.GetType().Name}: {result.Error}");
            var loaded = (await reader.LoadStateAsync(run)).Value;
            Assert.Equal(Exact(loaded), Exact(KnownRuns.AsStored(result.Value.State)));
        }

        await Step(new CandidatesGenerated(TestRuns.Model, 1,
            [TestRuns.Bash("ls\0 -la"), new NewCandidate(CandidateKind.Bash, "pwd", "half \uDC00 pair", CandidateSource.Model, TestRuns.Model), TestRuns.Bash("echo hi")]));
        await Step(new JudgeScored(TestRuns.Model, 1, new JudgeVerdict([new JudgeScore(1, 7, "fine\0"), new JudgeScore(2, 3, "no")], "judge-model")));
        await Step(new SetDeadline(TestRuns.Researcher, 1, _runs.Time.GetUtcNow() + TimeSpan.FromTicks(36_000_000_003)));
        await Step(new ProposeCandidate(contractor, 1, new NewCandidate(CandidateKind.Bash, "cat \0", null, CandidateSource.Contractor, contractor)), "scenario-1");
        await Step(new CastVote(new ActorId("discord:62"), 1, 2), "scenario-2");
        await Step(new CastVote(new ActorId("discord:63"), 1, 2), "scenario-3");
        await Step(new ExecutionFinished(ActorId.System, 1, new Observation("/tmp\0", 0, TimeSpan.FromTicks(12_345), false)));
        await Step(new GenerationFailed(ActorId.System, 2, "the model said \0"));
        await Step(new RetryGeneration(TestRuns.Researcher, 2));
        await Step(new PauseRun(TestRuns.Researcher));
        await Step(new ResumeRun(TestRuns.Researcher));
        await Step(new AbortRun(TestRuns.Researcher, "done \0 here"));
    }
}
