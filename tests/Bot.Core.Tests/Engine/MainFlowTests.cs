using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

public class MainFlowTests
{
    [Fact]
    public void Start_opens_step_one_and_asks_for_candidates()
    {
        var outcome = RunEngine.Start(Run, Settings(), T0).Ok();

        Assert.Equal(RunStatus.GeneratingCandidates, outcome.State.Status);
        Assert.Equal(1, outcome.State.Step!.Number);
        var work = Assert.Single(outcome.Work);
        var generate = Assert.IsType<GenerateCandidatesWork>(work);
        Assert.Equal(3, generate.Count);
        Assert.Contains(outcome.Events, e => e is StepOpened { StepNumber: 1 });
    }

    [Fact]
    public void Start_refuses_invalid_settings()
    {
        var result = RunEngine.Start(Run, Settings(quorum: 0), T0);
        Assert.Equal(EngineErrors.InvalidSettingsCode, result.Code());
    }

    [Fact]
    public void Generated_candidates_open_voting_with_deadline_render_and_judge()
    {
        var state = Started(Settings(window: TimeSpan.FromMinutes(10)));
        var outcome = state.Apply(new CandidatesGenerated(ModelActor, 1, [Bash("ls"), Bash("pwd")]), T0);

        Assert.Equal(RunStatus.Voting, outcome.State.Status);
        Assert.Equal(T0.AddMinutes(10), outcome.State.Step!.Deadline);
        Assert.Equal([1, 2], outcome.State.Step.Candidates.Select(c => c.Number));
        Assert.Contains(outcome.Work, w => w is RenderStepWork { Revision: 1 });
        Assert.Contains(outcome.Work, w => w is JudgeCandidatesWork { CandidateCount: 2 });
        Assert.Contains(outcome.Events, e => e is DeadlineSet);
    }

    [Fact]
    public void Majority_on_a_bash_candidate_executes_it()
    {
        var state = Voting().Then(new CastVote(Alice, 1, 2));
        var outcome = state.Apply(new CastVote(Bob, 1, 2));

        Assert.Equal(RunStatus.Executing, outcome.State.Status);
        Assert.Equal(new Decision(2, DecisionMethod.Consensus, Bob, T0.AddMinutes(1)), outcome.State.Step!.Decision);
        var execute = Assert.Single(outcome.Work.OfType<ExecuteActionWork>());
        Assert.Equal("pwd", execute.Command);
    }

    [Fact]
    public void Finished_execution_opens_the_next_step()
    {
        var state = Voting().Then(new OverrideDecision(Researcher, 1, 1));
        var outcome = state.Apply(new ExecutionFinished(ModelActor, 1, new Observation("a b c", 0)));

        Assert.Equal(RunStatus.GeneratingCandidates, outcome.State.Status);
        Assert.Equal(2, outcome.State.Step!.Number);
        Assert.Contains(outcome.Events, e => e is ObservationRecorded { StepNumber: 1 });
        Assert.Contains(outcome.Work, w => w is GenerateCandidatesWork { StepNumber: 2 });
    }

    [Fact]
    public void Submit_decision_completes_the_run_and_notifies_the_parent()
    {
        var state = RunEngine.Start(Run, Settings(), T0, parent: new RunId(7)).Ok().State
            .Then(new CandidatesGenerated(ModelActor, 1, [Submit("the answer")]), T0);
        var outcome = state.Apply(new OverrideDecision(Researcher, 1, 1));

        Assert.Equal(RunStatus.Completed, outcome.State.Status);
        Assert.Contains(outcome.Events, e => e is RunFinished { Outcome: RunStatus.Completed, Answer: "the answer" });
        Assert.Contains(outcome.Work, w => w is FinishRunWork { Outcome: RunStatus.Completed });
        Assert.Contains(outcome.Work, w => w is NotifyParentWork { ParentRunId.Value: 7 });
    }
}
