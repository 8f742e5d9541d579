using System.Text.Json;
using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Data.Json;
using Bot.Data.Stores;

namespace Bot.Host.Agent;

/// <summary>Stores a model call's result with its summed token counts and longest latency.</summary>
internal static class ModelCallRecording
{
    public static Task<bool> RecordAsync<T>(this ModelCallStore store, RunId runId, int stepNumber, string purpose, string idempotencyKey,
        IReadOnlyList<ModelUsage> usage, T result, CancellationToken cancellationToken)
    {
        var record = new ModelCallRecord(
            runId, stepNumber, purpose,
            Model: string.Join(",", usage.Select(u => u.Model).Distinct()),
            PromptTokens: usage.Sum(u => u.PromptTokens),
            CompletionTokens: usage.Sum(u => u.CompletionTokens),
            Latency: usage.Count == 0 ? TimeSpan.Zero : usage.Max(u => u.Latency),
            idempotencyKey,
            JsonSerializer.Serialize(result, DataJson.Options));
        return store.RecordAsync(record, cancellationToken);
    }

    public static T? Read<T>(this ModelCallRecord record) =>
        record.ResultJson is null ? default : JsonSerializer.Deserialize<T>(record.ResultJson, DataJson.Options);
}
