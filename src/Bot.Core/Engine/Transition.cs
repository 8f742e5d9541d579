using Bot.Core.Domain;

namespace Bot.Core.Engine;

/// <summary>
/// Accumulates one command's outcome. Renders are coalesced: however many visible changes a
/// command makes to a step, it asks for one re-render at the step's final revision.
/// </summary>
internal sealed class Transition(RunState state)
{
    private readonly List<RunEvent> _events = [];
    private readonly List<WorkItem> _work = [];
    private bool _renderPending;

    public RunState State { get; private set; } = state;

    /// <summary>
    /// The run is paused and this transition applies a result of work that was already in flight:
    /// record it, but decide nothing and start no clock until the run is resumed.
    /// </summary>
    public bool Suspended { get; init; }

    /// <summary>The current step; every transition that reaches here has one (Start opens step 1).</summary>
    public StepState Step => State.Step ?? throw new InvalidOperationException($"Run {State.RunId} has no step.");

    public RunId RunId => State.RunId;
    public RunSettings Settings => State.Settings;

    public void Emit(RunEvent e) => _events.Add(e);
    public void Enqueue(WorkItem work) => _work.Add(work);

    public void SetState(RunState next) => State = next;

    public void UpdateStep(Func<StepState, StepState> change) => State = State with { Step = change(Step) };

    public void SetStatus(RunStatus to)
    {
        if (State.Status == to) return;
        _events.Add(new RunStatusChanged(State.Status, to));
        State = State with { Status = to };
    }

    /// <summary>The step message must show something new.</summary>
    public void Render() => _renderPending = true;

    /// <summary>Replaces the current step, first flushing a render owed to the old one.</summary>
    public void ReplaceStep(StepState next)
    {
        FlushRender();
        State = State with { Step = next };
    }

    public Outcome Build()
    {
        FlushRender();
        return new Outcome(State, _events.ToArray(), _work.ToArray());
    }

    private void FlushRender()
    {
        if (!_renderPending || State.Step is null) return;
        _renderPending = false;
        var revision = State.Step.Revision + 1;
        UpdateStep(s => s with { Revision = revision });
        _work.Add(new RenderStepWork(RunId, State.Step.Number, revision));
    }
}
