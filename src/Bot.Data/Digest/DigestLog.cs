using Bot.Data.Postgres;
using Bot.Core.Domain;
using Bot.Core.Reporting;
using Dapper;

namespace Bot.Data.Digest;

/// <summary>
/// The scheduled digests already posted (<c>digests</c> table). A digest is claimed before it is
/// posted; the claim fails when a digest already covers the slot, which is what makes a double fire
/// (two nodes, or a retry) post once, and lets a catch-up digest start where the last one ended.
/// </summary>
public sealed class DigestLog(BotDatabase database)
{
    // Serializes claims across nodes; the number is arbitrary but fixed.
    private const long ClaimLockKey = 0x6469676573740001;

    /// <summary>
    /// Claims the period ending at <paramref name="end"/>, starting where the last digest ended (or
    /// <paramref name="defaultLength"/> before <paramref name="end"/> for the first one).
    /// Null when a digest already ends at or after <paramref name="end"/>.
    /// </summary>
    public async Task<DigestPeriod?> TryClaimAsync(DateTimeOffset end, TimeSpan defaultLength, string claimedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = ClaimLockKey }, transaction, cancellationToken: cancellationToken));
        var lastEnd = await connection.QuerySingleAsync<DateTimeOffset?>(new CommandDefinition("SELECT max(period_end) FROM digests", transaction: transaction, cancellationToken: cancellationToken));
        // Microsecond precision is what the column keeps; compare at that precision.
        var endUs = StoredTime.Of(end);
        if (lastEnd is { } l && l >= endUs) return null;
        var start = lastEnd ?? StoredTime.Of(end - defaultLength);
        const string insert = """
            INSERT INTO digests (period_start, period_end, claimed_by, claimed_at)
            VALUES (@start, @end, @claimedBy, @now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(insert,
            new { start, end = endUs, claimedBy, now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new DigestPeriod(start, endUs);
    }

    public async Task MarkPostedAsync(DateTimeOffset end, ChatRef message, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        const string sql = "UPDATE digests SET message_id = @messageId, posted_at = @now WHERE period_end = @end";
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { end, messageId = message.Value, now },
            cancellationToken: cancellationToken));
    }

    /// <summary>Drops a claim whose post failed, so the next fire covers the period again.</summary>
    public async Task ReleaseAsync(DateTimeOffset end, CancellationToken cancellationToken = default)
    {
        const string sql = "DELETE FROM digests WHERE period_end = @end AND posted_at IS NULL";
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { end }, cancellationToken: cancellationToken));
    }

}
