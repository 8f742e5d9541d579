using System.Globalization;
using System.Text.Json;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Interactions;
using Bot.Discord.Bot.Rendering;

namespace Bot.Discord.Bot.Commands;

/// <summary>Suggestions for the task, model and run options (at most 25, answered at once).</summary>
public sealed class AutocompleteHandler(ITaskCatalogView tasks, IModelProfiles profiles, IRunDirectory runs, BotRoles roles)
{
    public async Task<InteractionAnswer> HandleAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        var options = CommandOptions.From(interaction.Data);
        var typed = options.FocusedText.Trim();
        // Suggestions list task names and run ids: nothing for someone outside the team.
        if (!roles.CanParticipate(interaction.Member)) return new InteractionAnswer(InteractionResponse.Autocomplete([]));
        IReadOnlyList<AutocompleteChoice> choices = options.Focused?.Name switch
        {
            SlashCommands.Options.Task => (await tasks.ListAsync(cancellationToken).ConfigureAwait(false))
                .Where(t => Matches(t.Name, typed) || Matches(t.Title, typed))
                .Take(25)
                .Select(t => new AutocompleteChoice(Markdown.Plain($"{t.Name} · {t.Title}", 100), JsonSerializer.SerializeToElement(Markdown.Plain(t.Name, 100))))
                .ToList(),
            SlashCommands.Options.Model => profiles.Profiles.Where(p => Matches(p.Name, typed)).Take(25)
                .Select(p => new AutocompleteChoice(Markdown.Plain(p.Name, 100), JsonSerializer.SerializeToElement(Markdown.Plain(p.Name, 100))))
                .ToList(),
            SlashCommands.Options.Run => (await runs.ListRunsAsync(activeOnly: false, typed.Length == 0 ? null : typed, 25, cancellationToken).ConfigureAwait(false))
                .Select(r => new AutocompleteChoice(
                    Markdown.Plain(string.Create(CultureInfo.InvariantCulture, $"run {r.RunId} · {r.TaskName} · {Actors.Status(r.Status)}"), 100),
                    JsonSerializer.SerializeToElement(r.RunId.Value)))
                .ToList(),
            _ => [],
        };
        return new InteractionAnswer(InteractionResponse.Autocomplete(choices));
    }

    private static bool Matches(string text, string typed) =>
        typed.Length == 0 || text.Contains(typed, StringComparison.OrdinalIgnoreCase);
}
