using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

/// <summary>Deadlines, Auto mode, failures, interruptions, sub-runs and the end of a run through the engine.</summary>
public class LifecycleTests
{
    private static readonly DateTimeOffset AfterDeadline = T0.AddMinutes(31);
    private static JudgeVerdict Verdict(int best) => new([new JudgeScore(best, 9, "best")], "judge");

    [Fact]
    public void Deadline_with_votes_decides_by_plurality()
    {
        var outcome = Voting(Settings(quorum: 3)).Then(new CastVote(Alice, 1, 2)).Apply(new DeadlinePassed(ActorId.System, 1), AfterDeadline);
        Assert.Equal(new Decision(2, DecisionMethod.DeadlinePlurality, ActorId.System, AfterDeadline), outcome.State.Step!.Decision);
    }

    [Fact]
    public void In_hybrid_mode_a_deadline_with_no_votes_and_no_verdict_extends_then_the_judge_decides_the_next_deadline()
    {
        var extended = Voting(Settings(mode: RunMode.Hybrid)).Apply(new DeadlinePassed(ActorId.System, 1), AfterDeadline);
        Assert.Equal(RunStatus.Voting, extended.State.Status);
        Assert.Contains(extended.Events, e => e is DeadlineSet d && d.Deadline == AfterDeadline.AddMinutes(30));
        Assert.Contains(extended.Work, w => w is RenderStepWork);

        var judged = extended.State.Then(new JudgeScored(ModelActor, 1, Verdict(3)));
        Assert.Equal(RunStatus.Voting, judged.Status); // the verdict alone decides nothing before the deadline
        var decided = judged.Apply(new DeadlinePassed(ActorId.System, 1), AfterDeadline.AddMinutes(30));
        Assert.Equal(DecisionMethod.ModelJudge, decided.State.Step!.Decision!.Method);
        Assert.Equal(3, decided.State.Step.Decision.CandidateNumber);
    }

    [Fact]
    public void In_vote_mode_a_deadline_with_no_votes_extends_even_with_a_verdict()
    {
        var judged = Voting().Then(new JudgeScored(ModelActor, 1, Verdict(3)));
        var outcome = judged.Apply(new DeadlinePassed(ActorId.System, 1), AfterDeadline);
        Assert.Null(outcome.State.Step!.Decision);
        Assert.Equal(RunStatus.Voting, outcome.State.Status);
        Assert.Contains(outcome.Events, e => e is DeadlineSet d && d.Deadline == AfterDeadline.AddMinutes(30));
    }

    [Fact]
    public void A_vote_cast_after_the_deadline_but_before_the_deadline_job_applies_the_deadline_rule()
    {
        var outcome = Voting(Settings(quorum: 3)).Apply(new CastVote(Alice, 1, 2), AfterDeadline);
        Assert.Equal(DecisionMethod.DeadlinePlurality, outcome.State.Step!.Decision!.Method);
        Assert.Equal(2, outcome.State.Step.Decision.CandidateNumber);
    }

    [Fact]
    public void A_verdict_scoring_fewer_candidates_than_the_stored_one_is_stale()
    {
        var full = new JudgeVerdict([new JudgeScore(1, 5, "r"), new JudgeScore(2, 6, "r"), new JudgeScore(3, 1, "r")], "judge");
        var state = Voting().Then(new JudgeScored(ModelActor, 1, full));
        var result = state.Try(new JudgeScored(ModelActor, 1, Verdict(1)));
        Assert.Equal(EngineErrors.StaleVerdictCode, result.Code());
    }

    [Fact]
    public void A_deadline_command_that_arrives_early_or_without_a_deadline_is_refused()
    {
        Assert.Equal(EngineErrors.DeadlineNotReachedCode, Voting().Try(new DeadlinePassed(ActorId.System, 1), T0.AddMinutes(29)).Code());
        var noWindow = new RunSettings(RunMode.Vote, new ConsensusPolicy(VotingWindow: null));
        Assert.Equal(EngineErrors.NoDeadlineCode, Voting(noWindow).Try(new DeadlinePassed(ActorId.System, 1), AfterDeadline).Code());
    }

    [Fact]
    public void A_researcher_can_move_the_deadline_but_not_into_the_past()
    {
        var now = T0.AddMinutes(5);
        Assert.Equal(EngineErrors.DeadlineInPastCode, Voting().Try(new SetDeadline(Researcher, 1, now), now).Code());
        var moved = Voting().Apply(new SetDeadline(Researcher, 1, T0.AddHours(3)), now);
        Assert.Equal(T0.AddHours(3), moved.State.Step!.Deadline);
    }

    [Fact]
    public void Auto_mode_waits_for_the_judge_and_executes_its_pick()
    {
        var generated = Started(Settings(mode: RunMode.Auto)).Apply(new CandidatesGenerated(ModelActor, 1, [Bash("ls"), Bash("pwd")]));
        Assert.Equal(RunStatus.GeneratingCandidates, generated.State.Status);
        Assert.Null(generated.State.Step!.Deadline);
        Assert.Contains(generated.Work, w => w is JudgeCandidatesWork);
        Assert.Equal(EngineErrors.RunNotVotingCode, generated.State.Try(new CastVote(Alice, 1, 1)).Code());

        var decided = generated.State.Apply(new JudgeScored(ModelActor, 1, Verdict(2)));
        Assert.Equal(RunStatus.Executing, decided.State.Status);
        Assert.Equal(DecisionMethod.ModelJudge, decided.State.Step!.Decision!.Method);
        Assert.Equal("pwd", Assert.Single(decided.Work.OfType<ExecuteActionWork>()).Command);
    }

    [Fact]
    public void Identical_model_samples_are_merged_into_one_candidate()
    {
        var outcome = Started().Apply(new CandidatesGenerated(ModelActor, 1, [Bash("ls -la"), Bash("ls -la "), Bash("pwd")]));
        Assert.Equal([1, 2], outcome.State.Step!.Candidates.Select(c => c.Number));
        Assert.Contains(outcome.Events, e => e is CandidateMerged { CandidateNumber: 1 });
    }

    [Fact]
    public void Failed_generation_is_visible_and_a_retry_uses_a_new_idempotency_key()
    {
        var failed = Started().Apply(new GenerationFailed(ModelActor, 1, "provider timeout"));
        Assert.Equal(RunStatus.GeneratingCandidates, failed.State.Status);
        Assert.Contains(failed.Events, e => e is GenerationFailedRecorded { Reason: "provider timeout" });
        Assert.Contains(failed.Work, w => w is RenderStepWork);

        var retried = failed.State.Apply(new RetryGeneration(Researcher, 1));
        var work = Assert.Single(retried.Work.OfType<GenerateCandidatesWork>());
        var first = new GenerateCandidatesWork(Run, 1, 3);
        Assert.Equal(2, work.Attempt);
        Assert.NotEqual(first.IdempotencyKey, work.IdempotencyKey);
        Assert.Equal(EngineErrors.GenerationInProgressCode, retried.State.Try(new RetryGeneration(Researcher, 1)).Code());
    }

    [Fact]
    public void An_interrupted_execution_waits_for_a_researcher_and_a_rerun_gets_a_new_key()
    {
        var executing = Voting().Apply(new OverrideDecision(Researcher, 1, 1));
        var firstKey = Assert.Single(executing.Work.OfType<ExecuteActionWork>()).IdempotencyKey;

        var interrupted = executing.State.Then(new ExecutionInterrupted(ActorId.System, 1));
        Assert.Equal(RunStatus.ExecutionInterrupted, interrupted.Status);

        var rerun = interrupted.Apply(new RerunInterrupted(Researcher, 1));
        Assert.Equal(RunStatus.Executing, rerun.State.Status);
        var again = Assert.Single(rerun.Work.OfType<ExecuteActionWork>());
        Assert.Equal("ls", again.Command);
        Assert.NotEqual(firstKey, again.IdempotencyKey);
    }

    [Fact]
    public void Skipping_an_interrupted_execution_moves_on_with_an_observation_saying_so()
    {
        var outcome = Voting().Then(new OverrideDecision(Researcher, 1, 1))
            .Then(new ExecutionInterrupted(ActorId.System, 1))
            .Apply(new SkipInterrupted(Researcher, 1));

        Assert.Equal(2, outcome.State.Step!.Number);
        var observation = Assert.Single(outcome.Events.OfType<ObservationRecorded>());
        Assert.Contains("skip", observation.Observation.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(outcome.Work, w => w is GenerateCandidatesWork { StepNumber: 2 });
    }

    [Theory]
    [InlineData(RunStatus.Completed, "found it", "completed")]
    [InlineData(RunStatus.Failed, "step limit", "Failed")]
    public void A_finished_sub_run_becomes_the_parents_observation(RunStatus childStatus, string answer, string expectedText)
    {
        var waiting = Voting(null, Delegate("find the config"), Bash("ls")).Apply(new OverrideDecision(Researcher, 1, 1));
        Assert.Equal("find the config", Assert.Single(waiting.Work.OfType<StartSubRunWork>()).Task);

        var outcome = TransitionTableTests.AwaitingChild(waiting.State, new RunId(43))
            .Apply(new SubRunFinished(ActorId.System, 1, new RunId(43), childStatus, answer));
        var observation = Assert.Single(outcome.Events.OfType<ObservationRecorded>()).Observation.Text;
        Assert.Contains(expectedText, observation);
        Assert.Contains(answer, observation);
        Assert.Equal(RunStatus.GeneratingCandidates, outcome.State.Status);
    }

    [Fact]
    public void Only_the_child_the_step_waits_for_can_answer_it()
    {
        var waiting = TransitionTableTests.AwaitingChild(
            Voting(null, Delegate("find the config")).Then(new OverrideDecision(Researcher, 1, 1)), new RunId(43));

        // A fork of the parent (run 44) finishing with an answer must not be taken for the sub-run's.
        var stray = waiting.Try(new SubRunFinished(ActorId.System, 1, new RunId(44), RunStatus.Completed, "FORK-ANSWER"));
        Assert.Equal(EngineErrors.NotAwaitedChildCode, stray.Code());
        // Nor can a late refusal once the child exists.
        Assert.Equal(EngineErrors.NotAwaitedChildCode, waiting.Try(new SubRunFinished(ActorId.System, 1, null, RunStatus.Failed, "refused")).Code());

        var answered = waiting.Apply(new SubRunFinished(ActorId.System, 1, new RunId(43), RunStatus.Completed, "REAL-ANSWER"));
        Assert.Contains("REAL-ANSWER", Assert.Single(answered.Events.OfType<ObservationRecorded>()).Observation.Text);
    }

    [Fact]
    public void A_refused_delegation_answers_the_step_when_no_child_was_started()
    {
        var waiting = Voting(null, Delegate("x")).Then(new OverrideDecision(Researcher, 1, 1));
        var outcome = waiting.Apply(new SubRunFinished(ActorId.System, 1, null, RunStatus.Failed, "Delegation depth limit reached."));
        Assert.Contains("Delegation depth limit reached.", Assert.Single(outcome.Events.OfType<ObservationRecorded>()).Observation.Text);
        Assert.Equal(RunStatus.GeneratingCandidates, outcome.State.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reaching_the_time_limit_fails_the_run_with_the_reason_even_when_paused(bool paused)
    {
        var state = Voting(Settings() with { TimeLimit = TimeSpan.FromMinutes(20) });
        if (paused) state = state.Then(new PauseRun(Researcher));

        var outcome = state.Apply(new TimeLimitReached(ActorId.System));

        Assert.Equal(RunStatus.Failed, outcome.State.Status);
        Assert.Equal(TimeSpan.FromMinutes(20), Assert.Single(outcome.Events.OfType<TimeLimitPassed>()).TimeLimit);
        var finish = Assert.Single(outcome.Work.OfType<FinishRunWork>());
        Assert.Contains("time limit (20 minutes)", finish.Reason);
    }

    [Fact]
    public void A_run_without_a_time_limit_refuses_the_time_limit_command()
    {
        Assert.Equal(EngineErrors.NoTimeLimitCode, Voting().Try(new TimeLimitReached(ActorId.System)).Code());
    }

    [Fact]
    public void A_sub_run_report_with_a_non_final_status_is_refused()
    {
        var waiting = Voting(null, Delegate("x")).Then(new OverrideDecision(Researcher, 1, 1));
        var result = waiting.Try(new SubRunFinished(ActorId.System, 1, new RunId(43), RunStatus.Voting, ""));
        Assert.Equal(EngineErrors.InvalidChildStatusCode, result.Code());
    }

    [Fact]
    public void Reaching_the_step_limit_fails_the_run_and_notifies_the_parent()
    {
        var state = RunEngine.Start(Run, Settings(maxSteps: 1), T0, parent: new RunId(7)).Ok().State
            .Then(new CandidatesGenerated(ModelActor, 1, [Bash("ls")]), T0)
            .Then(new OverrideDecision(Researcher, 1, 1));
        var outcome = state.Apply(new ExecutionFinished(ActorId.System, 1, new Observation("ok")));

        Assert.Equal(RunStatus.Failed, outcome.State.Status);
        Assert.Contains(outcome.Events, e => e is StepLimitReached { MaxSteps: 1 });
        Assert.Contains(outcome.Work, w => w is FinishRunWork { Outcome: RunStatus.Failed });
        Assert.Contains(outcome.Work, w => w is NotifyParentWork);
    }

    [Fact]
    public void Aborting_a_child_run_notifies_its_parent()
    {
        var outcome = Started(parent: new RunId(7)).Apply(new AbortRun(Researcher, "wrong task"));
        Assert.Equal(RunStatus.Aborted, outcome.State.Status);
        Assert.Contains(outcome.Events, e => e is RunAborted { Reason: "wrong task" });
        Assert.Contains(outcome.Work, w => w is NotifyParentWork { ParentRunId.Value: 7 });
    }
}
