using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

/// <summary>
/// A paused run refuses human commands but still records results of work already in flight;
/// the work those results would start waits for Resume.
/// </summary>
public class PauseTests
{
    [Fact]
    public void Pausing_remembers_where_the_run_was_and_resuming_returns_there()
    {
        var paused = Voting().Then(new PauseRun(Researcher));
        Assert.Equal(RunStatus.Paused, paused.Status);
        Assert.Equal(RunStatus.Voting, paused.PausedFrom);

        var resumed = paused.Apply(new ResumeRun(Researcher));
        Assert.Equal(RunStatus.Voting, resumed.State.Status);
        Assert.Null(resumed.State.PausedFrom);
        Assert.Contains(resumed.Events, e => e is RunStatusChanged { From: RunStatus.Paused, To: RunStatus.Voting });
    }

    [Fact]
    public void Pausing_a_vote_suspends_its_deadline_and_resuming_sets_a_fresh_one()
    {
        var paused = Voting().Apply(new PauseRun(Researcher), T0.AddMinutes(10));
        Assert.Null(paused.State.Step!.Deadline);
        Assert.Contains(paused.Events, e => e is DeadlineCleared);

        var resumeAt = T0.AddHours(5);
        var resumed = paused.State.Apply(new ResumeRun(Researcher), resumeAt);
        Assert.Equal(resumeAt.AddMinutes(30), resumed.State.Step!.Deadline);
        Assert.Contains(resumed.Work, w => w is RenderStepWork);
    }

    [Fact]
    public void Candidates_generated_while_paused_are_kept_and_voting_opens_on_resume()
    {
        var paused = Started().Then(new PauseRun(Researcher));
        var generated = paused.Apply(new CandidatesGenerated(ModelActor, 1, [Bash("ls"), Bash("pwd")]));

        Assert.Equal(RunStatus.Paused, generated.State.Status);
        Assert.Equal(RunStatus.Voting, generated.State.PausedFrom);
        Assert.Equal(2, generated.State.Step!.Candidates.Count);
        Assert.Null(generated.State.Step.Deadline);
        Assert.Empty(generated.Work);
        Assert.DoesNotContain(generated.Events, e => e is RunStatusChanged);

        var resumed = generated.State.Apply(new ResumeRun(Researcher));
        Assert.Equal(RunStatus.Voting, resumed.State.Status);
        Assert.NotNull(resumed.State.Step!.Deadline);
        Assert.Contains(resumed.Work, w => w is JudgeCandidatesWork { CandidateCount: 2 });
        Assert.Contains(resumed.Work, w => w is RenderStepWork);
    }

    [Fact]
    public void An_execution_that_finishes_while_paused_opens_the_next_step_but_generation_waits()
    {
        var paused = Voting().Then(new OverrideDecision(Researcher, 1, 1)).Then(new PauseRun(Researcher));
        var finished = paused.Apply(new ExecutionFinished(ActorId.System, 1, new Observation("ok", 0)));

        Assert.Equal(RunStatus.Paused, finished.State.Status);
        Assert.Equal(RunStatus.GeneratingCandidates, finished.State.PausedFrom);
        Assert.Equal(2, finished.State.Step!.Number);
        Assert.Contains(finished.Events, e => e is ObservationRecorded { StepNumber: 1 });
        Assert.Empty(finished.Work);

        var resumed = finished.State.Apply(new ResumeRun(Researcher));
        Assert.Contains(resumed.Work, w => w is GenerateCandidatesWork { StepNumber: 2 });
    }

    [Fact]
    public void Resuming_an_executing_run_never_sends_the_command_again()
    {
        var paused = Voting().Then(new OverrideDecision(Researcher, 1, 1)).Then(new PauseRun(Researcher));
        var resumed = paused.Apply(new ResumeRun(Researcher));
        Assert.Equal(RunStatus.Executing, resumed.State.Status);
        Assert.DoesNotContain(resumed.Work, w => w is ExecuteActionWork);
    }

    [Fact]
    public void In_auto_mode_a_verdict_received_while_paused_decides_only_on_resume()
    {
        var paused = Started(Settings(mode: RunMode.Auto))
            .Then(new CandidatesGenerated(ModelActor, 1, [Bash("ls"), Bash("pwd")]))
            .Then(new PauseRun(Researcher));
        var judged = paused.Apply(new JudgeScored(ModelActor, 1, new JudgeVerdict([new JudgeScore(2, 8, "r")], "judge")));
        Assert.Equal(RunStatus.Paused, judged.State.Status);
        Assert.Null(judged.State.Step!.Decision);
        Assert.Empty(judged.Work);

        var resumed = judged.State.Apply(new ResumeRun(Researcher));
        Assert.Equal(RunStatus.Executing, resumed.State.Status);
        Assert.Equal("pwd", Assert.Single(resumed.Work.OfType<ExecuteActionWork>()).Command);
    }

    [Fact]
    public void A_run_that_reaches_its_step_limit_while_paused_ends()
    {
        var paused = Voting(Settings(maxSteps: 1)).Then(new OverrideDecision(Researcher, 1, 1)).Then(new PauseRun(Researcher));
        var outcome = paused.Apply(new ExecutionFinished(ActorId.System, 1, new Observation("ok")));
        Assert.Equal(RunStatus.Failed, outcome.State.Status);
        Assert.Null(outcome.State.PausedFrom);
        Assert.Contains(outcome.Events, e => e is RunStatusChanged { From: RunStatus.Paused, To: RunStatus.Failed });
        Assert.Contains(outcome.Work, w => w is FinishRunWork);
    }

    [Fact]
    public void An_interruption_while_paused_is_recorded_and_waits_for_resume_and_a_researcher()
    {
        var paused = Voting().Then(new OverrideDecision(Researcher, 1, 1)).Then(new PauseRun(Researcher));
        var interrupted = paused.Then(new ExecutionInterrupted(ActorId.System, 1));
        Assert.Equal(RunStatus.ExecutionInterrupted, interrupted.PausedFrom);
        Assert.Equal(EngineErrors.RunPausedCode, interrupted.Try(new RerunInterrupted(Researcher, 1)).Code());
        var resumed = interrupted.Then(new ResumeRun(Researcher));
        Assert.Equal(RunStatus.ExecutionInterrupted, resumed.Status);
    }
}
