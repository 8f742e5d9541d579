using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Scaffold.Options;

namespace Bot.Scaffold.Agent;

/// <summary>Why a stuck check is due.</summary>
public enum StuckTrigger { None, RepeatedAction, ConsecutiveFailures, Periodic }

/// <summary>Pure rules deciding whether to ask the model "Am I confused?" before the next step.</summary>
public static class StuckTriggers
{
    /// <summary>
    /// Evaluated after a step finished; <paramref name="history"/> holds the finished steps in order.
    /// The first matching rule wins: repeated action, then consecutive failures, then the periodic check.
    /// </summary>
    public static StuckTrigger Evaluate(IReadOnlyList<HistoryEntry> history, StuckCheckOptions options)
    {
        if (history.Count == 0)
        {
            return StuckTrigger.None;
        }
        if (options.OnRepeatedAction && history.Count >= 2 && SameAction(history[^1], history[^2]))
        {
            return StuckTrigger.RepeatedAction;
        }
        if (options.ConsecutiveFailures > 0 && history.Count >= options.ConsecutiveFailures
            && history.TakeLast(options.ConsecutiveFailures).All(h => h.Kind == CandidateKind.Bash && h.ExitCode is not null and not 0))
        {
            return StuckTrigger.ConsecutiveFailures;
        }
        if (options.EverySteps > 0 && history.Count % options.EverySteps == 0)
        {
            return StuckTrigger.Periodic;
        }
        return StuckTrigger.None;
    }

    private static bool SameAction(HistoryEntry a, HistoryEntry b) =>
        a.Kind == b.Kind && string.Equals(a.Action.Trim(), b.Action.Trim(), StringComparison.Ordinal);
}
