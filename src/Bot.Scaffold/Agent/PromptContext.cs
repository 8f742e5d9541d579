using Bot.Core.Ports;
using Bot.Scaffold.Options;
using Bot.Scaffold.Prompts;
using Microsoft.Extensions.Options;

namespace Bot.Scaffold.Agent;

/// <summary>Turns an <see cref="AgentContext"/> into prompt variables, applying the history and observation budgets.</summary>
public sealed class PromptContext(IOptions<ScaffoldOptions> options)
{
    private readonly ScaffoldOptions _options = options.Value;

    public Dictionary<string, string> Variables(AgentContext context)
    {
        // Older observations get a quarter of the budget of the latest one: the latest matters most.
        var history = HistoryFormatter.Format(context.History, _options.HistoryCharacterBudget, Math.Max(200, _options.ObservationCharacterLimit / 4));
        var last = context.History.Count == 0
            ? "(nothing has run yet)"
            : OutputTruncation.ForModel(context.History[^1].Observation, _options.ObservationCharacterLimit);
        return new Dictionary<string, string>
        {
            ["step_number"] = context.StepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["task_title"] = context.TaskTitle,
            ["task"] = context.TaskInstructions,
            ["history"] = history,
            ["last_observation"] = string.IsNullOrEmpty(last) ? "(empty output)" : last,
            ["nudges"] = Bullets(context.Nudges),
            ["reflections"] = Bullets(context.Reflections),
        };
    }

    private static string Bullets(IReadOnlyList<string> items) =>
        items.Count == 0 ? "(none)" : string.Join("\n", items.Select(i => "- " + i.Trim()));
}
