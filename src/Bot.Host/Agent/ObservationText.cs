using Bot.Core.Domain;
using Bot.Core.Ports;

namespace Bot.Host.Agent;

/// <summary>
/// What the model is shown of a command's result: exit code, stdout and stderr, cut to a budget
/// with a marker that says how much was left out. The full output stays in the executions table.
/// </summary>
public static class ObservationText
{
    public static Observation From(ExecutionResult result, int characterLimit)
    {
        var text = $"exit code {result.ExitCode}{(result.TimedOut ? " (killed at the time limit)" : "")}\n";
        if (result.Stdout.Length > 0) text += $"stdout:\n{result.Stdout}\n";
        if (result.Stderr.Length > 0) text += $"stderr:\n{result.Stderr}\n";
        var (shown, truncated) = Truncate(text.TrimEnd(), characterLimit);
        return new Observation(shown, result.ExitCode, result.Duration, truncated || result.OutputTruncated);
    }

    /// <summary>Keeps the head and the tail (errors are usually at the end) and marks the cut.</summary>
    public static (string Text, bool Truncated) Truncate(string text, int limit)
    {
        if (text.Length <= limit) return (text, false);
        var keep = Math.Max(0, limit - 60);
        var head = keep / 3;
        var tail = keep - head;
        var omitted = text.Length - head - tail;
        return ($"{text[..head]}\n[... {omitted} characters omitted ...]\n{text[^tail..]}", true);
    }
}
