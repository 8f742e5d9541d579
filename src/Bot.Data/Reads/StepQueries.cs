using StepView = Bot.Core.Ports.StepView;
using System.Collections.Concurrent;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Data.Stores;
using Dapper;

namespace Bot.Data.Reads;

/// <summary>A step as its chat message shows it (<see cref="IStepReader"/>), in one round trip.</summary>
public sealed class StepQueries(BotDatabase database) : IStepReader
{
    // The step's own columns, in the order of the record's constructor (Dapper maps by position and name).
    private sealed record StepRow(
        StepId StepId, RunId RunId, int Number, RunStatus RunStatus, string TaskName, RunMode Mode, RunSettings Settings,
        DateTimeOffset OpenedAt, DateTimeOffset? Deadline, JudgeVerdict? Judge, string? GenerationFailure, long Revision,
        bool IsCurrent, ChatRef? Thread, ChatRef? Message);

    private static readonly string Sql = $"""
        SELECT s.id AS "StepId", s.run_id AS "RunId", s.number AS "Number", {DapperTypes.Enum("r.status", "\"RunStatus\"")}, r.task_name AS "TaskName",
               {DapperTypes.Enum("r.mode", "\"Mode\"")}, r.settings::text AS "Settings", s.opened_at AS "OpenedAt", s.deadline AS "Deadline",
               s.judge::text AS "Judge", s.generation_error AS "GenerationFailure", s.revision AS "Revision",
               r.current_step IS NOT DISTINCT FROM s.number AS "IsCurrent", r.discord_thread_id AS "Thread", s.discord_message_id AS "Message"
        FROM steps s JOIN runs r ON r.id = s.run_id WHERE s.id = @id;

        SELECT {ReadSql.Decision} FROM decisions d WHERE d.step_id = @id;

        SELECT {ReadSql.Candidate} FROM candidates c WHERE c.step_id = @id ORDER BY c.number;

        SELECT {ReadSql.Vote} FROM votes v WHERE v.step_id = @id ORDER BY {ReadSql.VoteOrder};

        SELECT {ReadSql.Observation} FROM steps s JOIN steps p ON p.run_id = s.run_id AND p.number = s.number - 1
        JOIN observations o ON o.step_id = p.id WHERE s.id = @id ORDER BY o.id DESC LIMIT 1;

        SELECT {ReadSql.Observation} FROM observations o WHERE o.step_id = @id ORDER BY o.id DESC LIMIT 1;

        SELECT c.id AS "RunId", c.task_name AS "TaskName", {DapperTypes.Enum("c.status", "\"Status\"")}, c.discord_thread_id AS "Thread"
        FROM steps s JOIN runs c ON c.parent_run_id = s.run_id AND c.parent_step = s.number
        WHERE s.id = @id ORDER BY c.id
        """;

    private const string PlaceSql = """
        SELECT s.id AS "StepId", s.run_id AS "RunId", s.number AS "Number", r.discord_thread_id AS "Thread", s.discord_message_id AS "Message"
        FROM steps s JOIN runs r ON r.id = s.run_id WHERE s.id = @id
        """;

    // Where a posted step lives never changes (the first stored thread and message ids win), so a
    // vote on it finds its run without a round trip once its place was read with both ids; the
    // engine still refuses a step that is over or decided. Cleared when full, so memory stays flat.
    private const int PlaceCapacity = 4096;
    private readonly ConcurrentDictionary<long, StepPlace> _postedPlaces = new();

    public async Task<Result<StepPlace>> GetPlaceAsync(StepId stepId, CancellationToken cancellationToken = default)
    {
        if (_postedPlaces.TryGetValue(stepId.Value, out var known)) return known;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var place = await c.QuerySingleOrDefaultAsync<StepPlace>(new CommandDefinition(PlaceSql, new { id = stepId.Value }, cancellationToken: cancellationToken));
        if (place is null) return DataErrors.UnknownStep(stepId);
        if (place is { Thread: not null, Message: not null })
        {
            if (_postedPlaces.Count >= PlaceCapacity) _postedPlaces.Clear();
            _postedPlaces[stepId.Value] = place;
        }
        return place;
    }

    // The same statements with the step found by its run and number, in the same round trip (a
    // render reads its step this way, 50 times a second when Discord lets it).
    private static readonly string SqlByNumber = Sql.Replace("@id", "(SELECT id FROM steps WHERE run_id = @run AND number = @number)", StringComparison.Ordinal);

    public async Task<Result<StepView>> GetStepAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default) =>
        await ReadAsync(new CommandDefinition(SqlByNumber, new { run = runId.Value, number = stepNumber }, cancellationToken: cancellationToken)) is { } step
            ? step
            : DataErrors.UnknownStep(runId, stepNumber);

    public async Task<Result<StepView>> GetStepAsync(StepId stepId, CancellationToken cancellationToken = default) =>
        await ReadAsync(new CommandDefinition(Sql, new { id = stepId.Value }, cancellationToken: cancellationToken)) is { } step
            ? step
            : DataErrors.UnknownStep(stepId);

    /// <summary>The step the command's statements name, or null when there is no such step.</summary>
    private async Task<StepView?> ReadAsync(CommandDefinition command)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(command.CancellationToken);
        using var grid = await c.QueryMultipleAsync(command);
        var s = await grid.ReadSingleOrDefaultAsync<StepRow>();
        if (s is null) return null;
        var decision = await grid.ReadSingleOrDefaultAsync<Decision>();
        var candidates = (await grid.ReadAsync<Candidate>()).ToList();
        var votes = (await grid.ReadAsync<Vote>()).ToList();
        var last = await grid.ReadSingleOrDefaultAsync<Observation>();
        var own = await grid.ReadSingleOrDefaultAsync<Observation>();
        var subRuns = (await grid.ReadAsync<RunLink>()).ToList();
        return new StepView(
            s.RunId, s.StepId, s.Number, s.RunStatus, s.TaskName, s.Mode, s.Settings.Policy, s.OpenedAt, s.Deadline, candidates, votes,
            s.Judge, decision, last, own, s.GenerationFailure, s.Revision, s.IsCurrent, s.Thread, s.Message, subRuns);
    }
}
