using System.Collections.Concurrent;
using System.Diagnostics;
using Bot.Testing.Postgres;
using Dapper;

namespace Bot.Data.Tests;

/// <summary>
/// Runs commands in a child process (Bot.DataDriver crash-child), kills it at random points,
/// restarts it, and checks the database against everything the child acknowledged.
/// </summary>
public sealed class CrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed record Attempt(string Iid, long Run, int Step, string Voter, int Candidate);

    [Fact]
    public async Task Killing_the_process_at_random_points_loses_no_acknowledged_vote_and_runs_no_action_twice()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var random = new Random(20250101);
        var attempts = new List<Attempt>();
        var acknowledged = new HashSet<string>();
        var stderr = new ConcurrentQueue<string>();

        for (var round = 0; round < 6; round++)
        {
            var lines = new BlockingCollection<string>();
            using var child = StartChild(db.ConnectionString, seed: round, lines, stderr);
            var killAfter = random.Next(5, 60);
            var acksThisRound = 0;
            // The deadline only prevents a hang; the kill point is chosen by acknowledgement count.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                foreach (var line in lines.GetConsumingEnumerable(timeout.Token))
                {
                    var parts = line.Split(' ');
                    if (parts is ["TRY", var iid, var run, var step, var voter, var candidate])
                        attempts.Add(new Attempt(iid, long.Parse(run), int.Parse(step), voter, int.Parse(candidate)));
                    else if (parts is ["ACK", var acked])
                    {
                        acknowledged.Add(acked);
                        if (++acksThisRound >= killAfter) break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Child made no progress in round {round}: {string.Join('\n', stderr)}");
            }
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            // Lines written before the kill may still be in the pipe: they count too.
            while (lines.TryTake(out var late, TimeSpan.FromMilliseconds(200)))
            {
                var parts = late.Split(' ');
                if (parts is ["TRY", var iid, var run, var step, var voter, var candidate])
                    attempts.Add(new Attempt(iid, long.Parse(run), int.Parse(step), voter, int.Parse(candidate)));
                else if (parts is ["ACK", var acked]) acknowledged.Add(acked);
            }
        }

        Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} commands acknowledged: {string.Join('\n', stderr)}");
        await using var c = await db.DataSource.OpenConnectionAsync();

        // 1. Every acknowledged command is stored.
        var seen = (await c.QueryAsync<string>("SELECT interaction_id FROM interactions_seen")).ToHashSet();
        Assert.DoesNotContain(acknowledged, a => !seen.Contains(a));

        // 2. Each voter's stored vote is its last acknowledged vote, or a later attempt whose outcome the child never saw.
        var stored = (await c.QueryAsync<(long run_id, int number, string voter, int candidate_number)>(
            "SELECT s.run_id, s.number, v.voter, v.candidate_number FROM votes v JOIN steps s ON s.id = v.step_id"))
            .ToDictionary(v => (v.run_id, v.number, v.voter), v => v.candidate_number);
        foreach (var group in attempts.GroupBy(a => (a.Run, a.Step, a.Voter)))
        {
            var list = group.ToList();
            var lastAck = list.FindLastIndex(a => acknowledged.Contains(a.Iid));
            if (lastAck < 0) continue;
            Assert.True(stored.TryGetValue(group.Key, out var candidate), $"acknowledged vote {list[lastAck]} is missing");
            var allowed = list.Skip(lastAck).Select(a => a.Candidate).ToHashSet();
            Assert.Contains(candidate, allowed);
        }

        // 3. No action ran twice, and there is one execution item per step attempt.
        var executions = (await c.QueryAsync<(string key, int count)>("SELECT idempotency_key, count(*)::int FROM crash_executions GROUP BY idempotency_key")).ToList();
        Assert.NotEmpty(executions);
        Assert.All(executions, e => Assert.Equal(1, e.count));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT count(*) FROM (SELECT run_id, step_number FROM work_items WHERE kind = 'ExecuteAction' AND idempotency_key NOT LIKE '%:a%' GROUP BY 1, 2 HAVING count(*) > 1) x"));

        output.WriteLine($"acknowledged {acknowledged.Count} of {attempts.Count} votes; {executions.Count} executions; " +
            $"{await c.ExecuteScalarAsync<int>("SELECT count(*) FROM work_items WHERE status = 'interrupted'")} executions interrupted; " +
            $"{await c.ExecuteScalarAsync<int>("SELECT count(*) FROM decisions")} decisions; {await c.ExecuteScalarAsync<int>("SELECT count(*) FROM runs")} runs");

        // 4. The audit log agrees with the runs: event numbers are dense per run.
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT count(*) FROM runs r WHERE r.last_event_seq <> (SELECT count(*) FROM run_events e WHERE e.run_id = r.id)"));
    }

    private static Process StartChild(string connectionString, int seed, BlockingCollection<string> lines, ConcurrentQueue<string> stderr)
    {
        var driver = Path.Combine(AppContext.BaseDirectory, "Bot.DataDriver.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { driver, "crash-child", connectionString, seed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
