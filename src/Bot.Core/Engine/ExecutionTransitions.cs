using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>Transitions out of Executing, ExecutionInterrupted and WaitingOnSubRun.</summary>
internal static class ExecutionTransitions
{
    public static Result<Outcome> ExecutionFinished(Transition t, ExecutionFinished c, DateTimeOffset now)
    {
        StepFlow.Advance(t, c.Observation, now);
        return t.Build();
    }

    /// <summary>The process died while the command ran: it may have had effects, so a researcher decides.</summary>
    public static Result<Outcome> ExecutionInterrupted(Transition t)
    {
        t.SetStatus(RunStatus.ExecutionInterrupted);
        t.Render();
        return t.Build();
    }

    public static Result<Outcome> RerunInterrupted(Transition t)
    {
        var attempt = t.Step.ExecutionAttempt + 1;
        t.UpdateStep(s => s with { ExecutionAttempt = attempt });
        t.Emit(new ExecutionRestarted(t.Step.Number, attempt));
        t.SetStatus(RunStatus.Executing);
        t.Enqueue(StepFlow.ExecuteWork(t));
        t.Render();
        return t.Build();
    }

    public static Result<Outcome> SkipInterrupted(Transition t, SkipInterrupted c, DateTimeOffset now)
    {
        var observation = new Observation(
            $"The command was interrupted before it reported a result, and {c.Actor} chose to skip it. " +
            "It may have run partly or fully; check the workspace before relying on its effects.");
        StepFlow.Advance(t, observation, now);
        return t.Build();
    }

    public static Result<Outcome> SubRunFinished(Transition t, SubRunFinished c, DateTimeOffset now)
    {
        if (!c.ChildStatus.IsTerminal()) return EngineErrors.InvalidChildStatus(c.ChildStatus);
        // Only the child this step started may answer it (a fork, a restart or a stray run may not).
        if (c.ChildRunId != t.Step.SubRun) return EngineErrors.NotAwaitedChild(c.ChildRunId, t.Step.SubRun);
        var text = c.ChildStatus == RunStatus.Completed
            ? $"Sub-run {c.ChildRunId} completed. Its answer:\n{c.Answer}"
            : $"Sub-run {c.ChildRunId} ended without an answer ({c.ChildStatus}). {c.Answer}".TrimEnd();
        StepFlow.Advance(t, new Observation(text), now);
        return t.Build();
    }
}
