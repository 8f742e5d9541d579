using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Discord.Bot.Interactions;

/// <summary>Short, actionable texts for refusals; engine errors already say what to do.</summary>
public static class BotReplies
{
    public const string UnknownStep = "This step no longer exists or the button is not from a step message. Use the latest step message in the run's thread.";
    public const string ForeignButton = "This button does not belong to this message. Use the buttons on the step message itself.";
    public const string UnknownCandidate = "That candidate is not on this step. Pick one of the numbered buttons.";
    public const string NoRun = "No run here. Use the run: option, or run the command inside a run's thread.";

    public static string ForError(Error error)
    {
        if (error.IsTransient) return "The bot could not save that right now; please try again in a moment.";
        return error.Code switch
        {
            EngineErrors.StepDecidedCode => "This step is already decided; your click changed nothing.",
            _ => error.Message,
        };
    }

    public static string Decided(int step, int candidate) =>
        $"Step {step} is already decided (#{candidate} was chosen); your click changed nothing.";
}
