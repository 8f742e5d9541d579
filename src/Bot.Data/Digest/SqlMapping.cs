using Bot.Core.Domain;

namespace Bot.Data.Digest;

/// <summary>Text values of the schema's enum-like columns, read back into domain enums.</summary>
internal static class SqlMapping
{
    public static RunStatus RunStatus(string value) => value switch
    {
        "generating_candidates" => Core.Domain.RunStatus.GeneratingCandidates,
        "voting" => Core.Domain.RunStatus.Voting,
        "executing" => Core.Domain.RunStatus.Executing,
        "waiting_on_sub_run" => Core.Domain.RunStatus.WaitingOnSubRun,
        "paused" => Core.Domain.RunStatus.Paused,
        "execution_interrupted" => Core.Domain.RunStatus.ExecutionInterrupted,
        "completed" => Core.Domain.RunStatus.Completed,
        "failed" => Core.Domain.RunStatus.Failed,
        "aborted" => Core.Domain.RunStatus.Aborted,
        _ => throw new InvalidOperationException($"Unknown run status '{value}' in the database."),
    };

    public static DecisionMethod? Method(string? value) => value switch
    {
        null => null,
        "consensus" => DecisionMethod.Consensus,
        "deadline_plurality" => DecisionMethod.DeadlinePlurality,
        "model_judge" => DecisionMethod.ModelJudge,
        "researcher_override" => DecisionMethod.ResearcherOverride,
        _ => throw new InvalidOperationException($"Unknown decision method '{value}' in the database."),
    };

    /// <summary>Npgsql reads timestamptz as a UTC <see cref="DateTime"/>.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    /// <summary>Npgsql writes timestamptz only from UTC values.</summary>
    public static DateTime Param(DateTimeOffset value) => value.UtcDateTime;

    /// <summary>A Discord message link, when the ids needed are known.</summary>
    public static string? MessageLink(string? linkPrefix, string? channelId, string? messageId) =>
        linkPrefix is null || channelId is null || messageId is null ? null : $"{linkPrefix.TrimEnd('/')}/{channelId}/{messageId}";
}
