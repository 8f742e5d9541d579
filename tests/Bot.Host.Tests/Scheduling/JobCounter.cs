using System.Collections.Concurrent;
using Quartz;

namespace Bot.Host.Tests.Scheduling;

/// <summary>Counts a scheduler's job executions (started and finished) by job key.</summary>
public sealed class JobCounter : IJobListener
{
    public string Name { get; } = $"counter-{Guid.NewGuid():N}";
    public ConcurrentDictionary<JobKey, int> Started { get; } = new();
    public ConcurrentDictionary<JobKey, int> Finished { get; } = new();

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Started.AddOrUpdate(context.JobDetail.Key, 1, (_, n) => n + 1);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        Finished.AddOrUpdate(context.JobDetail.Key, 1, (_, n) => n + 1);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public int StartedOf(JobKey key) => Started.GetValueOrDefault(key);
    public int FinishedOf(JobKey key) => Finished.GetValueOrDefault(key);

    public static async Task<JobCounter> AttachAsync(IScheduler scheduler)
    {
        var counter = new JobCounter();
        scheduler.ListenerManager.AddJobListener(counter, [Matchers.AllJobs()]);
        await Task.CompletedTask;
        return counter;
    }
}
