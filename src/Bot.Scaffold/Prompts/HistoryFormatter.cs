using System.Text;
using Bot.Core.Ports;
using Bot.Core.Text;

namespace Bot.Scaffold.Prompts;

/// <summary>
/// Formats a run's history for prompts within a character budget: the latest steps are kept whole,
/// earlier ones are dropped and replaced by an explicit "[... N earlier steps omitted ...]" marker.
/// The task itself is a separate prompt variable and is never cut.
/// </summary>
public static class HistoryFormatter
{
    public const string NoHistory = "(no steps yet)";

    public static string Format(IReadOnlyList<HistoryEntry> history, int characterBudget, int observationLimit)
    {
        if (history.Count == 0)
        {
            return NoHistory;
        }

        var blocks = history.Select(h => FormatEntry(h, observationLimit)).ToList();
        var kept = new List<string>();
        var used = 0;
        for (var i = blocks.Count - 1; i >= 0; i--)
        {
            // The latest step is always shown, even alone over budget (truncated observation keeps it bounded).
            if (kept.Count > 0 && used + blocks[i].Length > characterBudget)
            {
                break;
            }
            kept.Add(blocks[i]);
            used += blocks[i].Length;
        }
        kept.Reverse();

        var omitted = blocks.Count - kept.Count;
        var sb = new StringBuilder();
        if (omitted > 0)
        {
            sb.Append("[... ").Append(omitted).Append(omitted == 1 ? " earlier step omitted ...]" : " earlier steps omitted ...]").Append("\n\n");
        }
        sb.AppendJoin("\n\n", kept);
        return sb.ToString();
    }

    private static string FormatEntry(HistoryEntry entry, int observationLimit)
    {
        var exit = entry.ExitCode is { } code ? $" (exit code {code})" : "";
        return $"### Step {entry.StepNumber}: {entry.Kind.ToString().ToLowerInvariant()}\n{entry.Action}\n--- observation{exit} ---\n{OutputTruncation.ForModel(entry.Observation, observationLimit)}";
    }
}

/// <summary>Shortens text for the model's context, keeping head and tail with a marker of what was cut.</summary>
public static class OutputTruncation
{
    public static string ForModel(string text, int limit)
    {
        if (text.Length <= limit)
        {
            return text;
        }
        var head = SafeText.Prefix(text, limit * 2 / 3);
        var tail = SafeText.Suffix(text, limit - head.Length);
        var cut = text.Length - head.Length - tail.Length;
        return $"{head}\n[... {cut} characters truncated ...]\n{tail}";
    }
}
