using Bot.Host.Scheduling;
using Bot.Host.Scheduling.Jobs;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Bot.Host.Tests.Scheduling;

/// <summary>
/// Quartz's AdoJobStore on the test database, driven by a fake clock (Quartz reads the container's
/// TimeProvider, so advancing the clock is what makes triggers due).
/// </summary>
public sealed class ClusteredSchedulingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset BeforeNine = new(2025, 1, 1, 8, 59, 50, TimeSpan.Zero);

    private static Dictionary<string, string?> Settings(string instanceId) => new()
    {
        ["Scheduler:Clustered"] = "true",
        ["Scheduler:InstanceId"] = instanceId,
        ["Scheduler:DigestCron"] = "0 0 9 * * ?",
        ["Scheduler:TimeZone"] = "UTC",
        // Keep the sweeps quiet: these tests are about the digest trigger.
        ["Scheduler:DeadlineSweepSeconds"] = "3600",
        ["Scheduler:ReminderSweepSeconds"] = "3600",
        ["Discord:TeamChannelId"] = "42",
    };

    [Fact]
    public async Task Two_clustered_nodes_post_exactly_one_digest_per_fire()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var clock = new FakeTimeProvider(BeforeNine);
        var sender = new RecordingSender();
        await using var a = await SchedulerNode.CreateAsync(db.Database, clock, sender, Settings("node-a"));
        await using var b = await SchedulerNode.CreateAsync(db.Database, clock, sender, Settings("node-b"));
        var counterA = await JobCounter.AttachAsync(a.Scheduler);
        var counterB = await JobCounter.AttachAsync(b.Scheduler);
        await a.Scheduler.Start();
        await b.Scheduler.Start();
        int Fired() => counterA.StartedOf(DigestJob.Key) + counterB.StartedOf(DigestJob.Key);
        int Done() => counterA.FinishedOf(DigestJob.Key) + counterB.FinishedOf(DigestJob.Key);

        for (int day = 1; day <= 2; day++)
        {
            var slot = new DateTimeOffset(2025, 1, day, 9, 0, 0, TimeSpan.Zero);
            clock.Advance(slot + TimeSpan.FromSeconds(5) - clock.GetUtcNow());
            await WaitUntilAsync(async () => Done() >= day && await NextDigestFireAsync(a.Scheduler) > slot);
            await WaitUntilAsync(() => Task.FromResult(Fired() == Done()));

            Assert.Equal(day, Fired());
            Assert.Equal(day, sender.Sent.Count);
        }
        // Both nodes really are in the cluster (checked in on the shared store).
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var nodes = (await connection.QueryAsync<string>("SELECT instance_name FROM qrtz_scheduler_state ORDER BY 1")).ToList();
        Assert.Equal(["node-a", "node-b"], nodes);
    }

    [Fact]
    public async Task Downtime_over_several_digest_slots_posts_at_most_one_catch_up_digest()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var clock = new FakeTimeProvider(BeforeNine);
        var sender = new RecordingSender();
        var firstSlot = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);

        await using (var before = await SchedulerNode.CreateAsync(db.Database, clock, sender, Settings("node-a")))
        {
            var counter = await JobCounter.AttachAsync(before.Scheduler);
            await before.Scheduler.Start();
            clock.Advance(TimeSpan.FromSeconds(15));
            await WaitUntilAsync(() => Task.FromResult(counter.FinishedOf(DigestJob.Key) == 1));
            await before.Scheduler.Shutdown(waitForJobsToComplete: true);
        }
        Assert.Single(sender.Sent);

        // Down for five digest slots (Jan 2..6), back at noon on Jan 6.
        var restart = new DateTimeOffset(2025, 1, 6, 12, 0, 0, TimeSpan.Zero);
        clock.Advance(restart - clock.GetUtcNow());
        await using var after = await SchedulerNode.CreateAsync(db.Database, clock, sender, Settings("node-a"));
        var afterCounter = await JobCounter.AttachAsync(after.Scheduler);
        await after.Scheduler.Start();
        await WaitUntilAsync(async () => afterCounter.FinishedOf(DigestJob.Key) >= 1
            && await NextDigestFireAsync(after.Scheduler) == new DateTimeOffset(2025, 1, 7, 9, 0, 0, TimeSpan.Zero));
        await WaitUntilAsync(() => Task.FromResult(afterCounter.StartedOf(DigestJob.Key) == afterCounter.FinishedOf(DigestJob.Key)));

        Assert.Equal(1, afterCounter.StartedOf(DigestJob.Key));
        Assert.Equal(2, sender.Sent.Count);
        // The catch-up digest reports the whole downtime, from where the last digest ended.
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var periods = (await connection.QueryAsync<(DateTime Start, DateTime End)>("SELECT period_start, period_end FROM digests ORDER BY period_end")).ToList();
        Assert.Equal(2, periods.Count);
        Assert.Equal(firstSlot.UtcDateTime, periods[1].Start);
        Assert.Equal(new DateTime(2025, 1, 6, 9, 0, 0, DateTimeKind.Utc), periods[1].End);
        Assert.Equal("No activity between 2025-01-01 09:00 and 2025-01-06 09:00.", sender.Sent.Last().Message.Content);
    }

    private static async Task<DateTimeOffset?> NextDigestFireAsync(IScheduler scheduler) =>
        (await scheduler.GetTrigger(SchedulingServiceCollectionExtensions.DigestTrigger))?.NextFireTimeUtc;

    /// <summary>Polls a condition; the timeout only prevents a hang, it asserts nothing about speed.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("The scheduler did not reach the expected state.");
            await Task.Delay(50);
        }
    }
}
