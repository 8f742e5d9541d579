using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bot.Data.Work;

/// <summary>
/// What a loop that talks to PostgreSQL does when the database goes away (a restart, a failover,
/// an outage): wait with capped exponential backoff and jitter (on the injected clock), warn once
/// when the outage starts and say when it ended, instead of failing the host or logging every attempt.
/// One instance per loop; not thread-safe.
/// </summary>
public sealed partial class DatabaseFaults(string loop, ILogger logger, TimeProvider timeProvider, TimeSpan? initialDelay = null, TimeSpan? maxDelay = null)
{
    private readonly TimeSpan _initial = initialDelay ?? TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _max = maxDelay ?? TimeSpan.FromSeconds(10);
    private DateTimeOffset? _since;
    private int _failures;

    /// <summary>True while the last attempt failed.</summary>
    public bool InOutage => _since is not null;

    /// <summary>Exceptions that mean "the database is unreachable or restarting", as opposed to a bug.</summary>
    public static bool IsDatabaseFault(Exception ex) =>
        ex is NpgsqlException or TimeoutException
        || ex.InnerException is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException;

    /// <summary>
    /// The database is restarting or unreachable (as opposed to refusing this statement): a connection
    /// failure, a shutdown or "cannot connect now" from the server, or what Npgsql calls transient.
    /// </summary>
    public static bool IsOutage(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        TimeoutException => true,
        _ => ex.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>The delay before the next attempt after <paramref name="failures"/> consecutive failures: doubles, capped, with jitter in [50%, 100%].</summary>
    public static TimeSpan DelayFor(int failures, TimeSpan initial, TimeSpan max)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(max.TotalMilliseconds, exponential);
        // Jitter keeps many processes from reconnecting in lock-step after a restart.
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    /// <summary>Records a failed attempt and waits before the next one. Returns false when <paramref name="cancellationToken"/> ended the wait.</summary>
    public async Task<bool> FailedAsync(Exception ex, CancellationToken cancellationToken)
    {
        _failures++;
        if (_since is null)
        {
            _since = timeProvider.GetUtcNow();
            if (IsDatabaseFault(ex)) LogOutage(logger, loop, ex.Message, ex);
            else LogUnexpected(logger, loop, ex);
        }
        try
        {
            await Task.Delay(DelayFor(_failures, _initial, _max), timeProvider, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Records a successful attempt: ends the outage (and says so) and resets the backoff.</summary>
    public void Succeeded()
    {
        if (_since is { } since) LogRecovered(logger, loop, timeProvider.GetUtcNow() - since, _failures);
        _since = null;
        _failures = 0;
    }

    /// <summary>Runs <paramref name="action"/> until it succeeds, backing off between database faults; other exceptions propagate.</summary>
    public async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await action(cancellationToken);
                Succeeded();
                return result;
            }
            catch (Exception ex) when (IsDatabaseFault(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!await FailedAsync(ex, cancellationToken)) cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Loop}: the database is unavailable ({Reason}); retrying with backoff until it is back")]
    private static partial void LogOutage(ILogger logger, string loop, string reason, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Loop} failed; retrying with backoff")]
    private static partial void LogUnexpected(ILogger logger, string loop, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Loop}: the database is back after {Duration} ({Failures} failed attempts)")]
    private static partial void LogRecovered(ILogger logger, string loop, TimeSpan duration, int failures);
}
