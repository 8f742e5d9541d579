using Bot.Data.Work;

namespace Bot.Host.Scheduling.Jobs;

/// <summary>
/// Keeps a database outage from filling the log with one error per sweep: a sweep that fails
/// because the database is unavailable logs a warning when the outage starts and a note when it
/// ends, and returns normally; the trigger fires again at its next interval, which is the retry.
/// Other exceptions still reach Quartz, which logs them and keeps the trigger.
/// One singleton per process; jobs of one key never run concurrently ([DisallowConcurrentExecution]).
/// </summary>
public sealed partial class JobFaults(ILogger<JobFaults> logger, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _outageSince = new(StringComparer.Ordinal);

    public async Task RunAsync(string job, Func<CancellationToken, Task> sweep, CancellationToken cancellationToken)
    {
        try
        {
            await sweep(cancellationToken);
        }
        catch (Exception ex) when (DatabaseFaults.IsDatabaseFault(ex) && !cancellationToken.IsCancellationRequested)
        {
            bool first;
            lock (_gate) first = _outageSince.TryAdd(job, timeProvider.GetUtcNow());
            if (first) LogOutage(logger, job, ex.Message, ex);
            return;
        }
        DateTimeOffset since;
        lock (_gate)
        {
            if (!_outageSince.Remove(job, out since)) return;
        }
        LogRecovered(logger, job, timeProvider.GetUtcNow() - since);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled {Job}: the database is unavailable ({Reason}); skipping sweeps until it is back")]
    private static partial void LogOutage(ILogger logger, string job, string reason, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled {Job}: the database is back after {Duration}")]
    private static partial void LogRecovered(ILogger logger, string job, TimeSpan duration);
}
