using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>What the engine decided: the new state, the events to record and the work to enqueue.</summary>
public sealed record Outcome(RunState State, IReadOnlyList<RunEvent> Events, IReadOnlyList<WorkItem> Work);

/// <summary>
/// The run state machine as a pure function. Every (status, command) pair is either a transition
/// or a named error from <see cref="EngineErrors"/>, never a silent no-op.
/// </summary>
public static class RunEngine
{
    public static Result<Outcome> Decide(RunState state, RunCommand command, DateTimeOffset now) =>
        throw new NotImplementedException("filled in by the engine work");
}
