using Bot.Core.Domain;
using Dapper;

namespace Bot.Data.Stores;

/// <summary>A model call as stored: token counts, latency and the result the caller chose to keep.</summary>
public sealed record ModelCallRecord(
    RunId RunId, int? StepNumber, string Purpose, string Model, int PromptTokens, int CompletionTokens, TimeSpan Latency,
    string IdempotencyKey, string? ResultJson);

/// <summary>
/// Model calls keyed by an idempotency key (e.g. the work item's), so a retried work item finds the
/// stored result instead of paying for, and acting on, a second call.
/// </summary>
public sealed class ModelCallStore(BotDatabase database, TimeProvider timeProvider)
{
    /// <summary>Stores the call; false when a call with this key was already stored (the first one stays).</summary>
    public async Task<bool> RecordAsync(ModelCallRecord call, CancellationToken cancellationToken = default)
    {
        const string sql = """
            INSERT INTO model_calls (run_id, step_number, purpose, model, prompt_tokens, completion_tokens, latency_ms, idempotency_key, result, created_at)
            VALUES (@run_id, @step_number, @purpose, @model, @prompt_tokens, @completion_tokens, @latency_ms, @key, @result::jsonb, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await c.ExecuteAsync(new CommandDefinition(sql, new
        {
            run_id = call.RunId.Value,
            step_number = call.StepNumber,
            purpose = call.Purpose,
            model = call.Model,
            prompt_tokens = call.PromptTokens,
            completion_tokens = call.CompletionTokens,
            latency_ms = (long)call.Latency.TotalMilliseconds,
            key = call.IdempotencyKey,
            result = call.ResultJson,
            now = timeProvider.GetUtcNow(),
        }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<ModelCallRecord?> FindAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT run_id, step_number, purpose, model, prompt_tokens, completion_tokens, latency_ms, idempotency_key, result::text AS result
            FROM model_calls WHERE idempotency_key = @key
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { key = idempotencyKey }, cancellationToken: cancellationToken));
        return row is null ? null : new ModelCallRecord(new RunId(row.run_id), row.step_number, row.purpose, row.model, row.prompt_tokens,
            row.completion_tokens, TimeSpan.FromMilliseconds(row.latency_ms), row.idempotency_key, row.result);
    }

    private sealed record Row(long run_id, int? step_number, string purpose, string model, int prompt_tokens, int completion_tokens,
        long latency_ms, string idempotency_key, string? result);
}
