using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Data.Stores;

/// <summary>Named errors of the store (the engine's own refusals come from EngineErrors).</summary>
public static class DataErrors
{
    public const string UnknownRunCode = "unknown_run";
    public const string UnknownStepCode = "unknown_step";
    public const string UnknownCandidateCode = "unknown_candidate";
    public const string RatingOutOfRangeCode = "rating_out_of_range";
    public const string InvalidTagCode = "invalid_tag";
    public const string InvalidCommentCode = "invalid_comment";
    public const string InvalidTaskCode = "invalid_task";
    public const string DatabaseUnavailableCode = "database_unavailable";

    public static Error UnknownRun(RunId id) => new(UnknownRunCode, $"Run {id} does not exist.");
    public static Error UnknownStep(StepId id) => new(UnknownStepCode, $"Step {id} does not exist.");
    public static Error UnknownStep(RunId run, int number) => new(UnknownStepCode, $"Run {run} has no step {number}.");
    public static Error UnknownCandidate(StepId step, int number) => new(UnknownCandidateCode, $"Step {step} has no candidate #{number}.");

    public static Error RatingOutOfRange(int value) =>
        new(RatingOutOfRangeCode, $"A rating must be between {Limits.MinRating} and {Limits.MaxRating} (got {value}).");

    public static Error InvalidTag(string reason) => new(InvalidTagCode, reason);
    public static Error InvalidComment(string reason) => new(InvalidCommentCode, reason);
    public static Error InvalidTask(string reason) => new(InvalidTaskCode, reason);

    public static Error DatabaseUnavailable(Exception ex) =>
        new(DatabaseUnavailableCode, $"The database is unavailable ({ex.Message}); try again shortly.", IsTransient: true);
}
