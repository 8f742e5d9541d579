using Bot.Core.Ports;
using Dapper;

namespace Bot.Data.Web;

/// <summary><see cref="ISignInLinkLedger"/> in <c>sign_in_links_used</c> (migration 0009).</summary>
public sealed class SignInLinkLedger(BotDatabase database, TimeProvider time) : ISignInLinkLedger
{
    /// <summary>
    /// How long after its expiry a link's row is kept: another process whose clock is behind this
    /// one's still accepts the link's signature for that long, and must still find the row.
    /// </summary>
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromMinutes(10);

    // The primary key makes a second redemption a no-op, also when two arrive at once from two
    // processes. Rows past the allowance go in the same statement, so the table stays as small as
    // the links of the last few minutes without a job of its own.
    private const string RedeemSql = """
        WITH expired AS (DELETE FROM sign_in_links_used WHERE expires_at < @forgetBefore)
        INSERT INTO sign_in_links_used (link_id, used_at, expires_at) VALUES (@linkId, @now, @expiresAt)
        ON CONFLICT (link_id) DO NOTHING
        """;

    public async Task<bool> TryRedeemAsync(string linkId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        var now = time.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(RedeemSql,
            new { linkId, now, expiresAt, forgetBefore = now - ClockAllowance }, cancellationToken: cancellationToken));
        return inserted == 1;
    }
}
