using Bot.Core.Domain;
using Bot.Core.Ports;
using Dapper;

namespace Bot.Data.Ports;

/// <summary><see cref="IDiscordLinks"/>: the first stored id wins, so racing writers agree on one thread or message.</summary>
public sealed class DiscordLinksPort(BotDatabase database) : IDiscordLinks
{
    public async Task<ulong> SetThreadAsync(RunId runId, ulong threadChannelId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE runs SET discord_thread_id = COALESCE(discord_thread_id, @thread) WHERE id = @id RETURNING discord_thread_id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var stored = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { id = runId.Value, thread = PortRows.Text(threadChannelId) }, cancellationToken: cancellationToken));
        return PortRows.Snowflake(stored) ?? throw new InvalidOperationException($"Run {runId} does not exist; its thread cannot be linked.");
    }

    public async Task<ulong> SetStepMessageAsync(StepId stepId, ulong messageId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE steps SET discord_message_id = COALESCE(discord_message_id, @message) WHERE id = @id RETURNING discord_message_id
            """;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var stored = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { id = stepId.Value, message = PortRows.Text(messageId) }, cancellationToken: cancellationToken));
        return PortRows.Snowflake(stored) ?? throw new InvalidOperationException($"Step {stepId} does not exist; its message cannot be linked.");
    }
}
