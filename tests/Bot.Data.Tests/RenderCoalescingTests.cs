using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Work;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Options;

namespace Bot.Data.Tests;

/// <summary>
/// Every vote asks for its step to be rendered; a render shows the step as it is when it runs, so
/// a render still pending for the step covers the next votes too: group commit queues a new one
/// only when none is pending, and a render a worker already took does not count.
/// </summary>
public sealed class RenderCoalescingTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly TestRuns _runs = new(db);

    private async Task<List<(long Revision, string Status, string? Error)>> RendersAsync(RunId run)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(long, string, string?)>(
            "SELECT (payload->>'revision')::bigint, status, last_error FROM work_items WHERE run_id = @run AND kind = 'RenderStep' ORDER BY id",
            new { run = run.Value })).ToList();
    }

    [Fact]
    public async Task Votes_in_separate_transactions_leave_the_one_pending_render_and_queue_no_more()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 5));
        var before = await RendersAsync(run);
        foreach (var voter in new[] { "discord:21", "discord:22", "discord:23" })
            Assert.True((await _runs.Processor.HandleAsync(run, new CastVote(new ActorId(voter), 1, 1))).IsSuccess);

        // The candidates' render was still pending, so the three votes wrote no render rows at all.
        var pending = Assert.Single(before, r => r.Status == "pending");
        Assert.Equal([pending], await RendersAsync(run));
    }

    [Fact]
    public async Task A_render_a_worker_already_took_does_not_cover_a_newer_vote()
    {
        var run = await _runs.StartVotingRunAsync(TestRuns.Settings(quorum: 5));
        var queue = new WorkQueue(db.Database, _runs.Time, Options.Create(new WorkQueueOptions()));
        var taken = Assert.Single(await queue.ClaimAsync("worker-a", 10), w => w.Item is RenderStepWork r && r.RunId == run);

        Assert.True((await _runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:21"), 1, 2))).IsSuccess);

        var renders = await RendersAsync(run);
        Assert.Equal(["running", "pending"], renders.Select(r => r.Status));
        Assert.True(await queue.CompleteAsync(taken.Id, "worker-a"));
    }
}
