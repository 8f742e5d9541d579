using System.Collections.Concurrent;
using System.Diagnostics;
using Bot.Core.Domain;
using Bot.Discord.Bot;
using Bot.Testing.FakeDiscord;

namespace Bot.Benchmarks;

/// <summary>A run as the setup printed it: its step 1 and the step message in its thread.</summary>
public sealed record BenchRun(long RunId, long StepId, ulong Thread, ulong Message);

public sealed record LoadResult(
    long Offered,
    double Seconds,
    Summary InjectToStored,
    long Answered,
    long Updates,
    long Ephemeral,
    long Unanswered,
    long InjectFailures);

/// <summary>
/// Open-loop clicks: vote buttons pressed at a fixed rate whatever the bot's answers do, each by a
/// random contractor on a random run, always for a different candidate than that contractor's last
/// vote there (so the engine accepts every click as a change).
/// </summary>
public sealed class ClickLoad(FakeDiscordServer fake, IReadOnlyList<BenchRun> runs, int contractors, ulong contractorRole)
{
    private readonly ConcurrentDictionary<ulong, (FakeInteraction Interaction, long Injected)> _pending = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private long _updates;
    private long _ephemeral;
    private long _injectFailures;
    // Each contractor's last vote per run, kept across loads (warm-up, then measurement) so every
    // click is a change the engine stores, never a repeat it refuses as unchanged.
    private readonly Dictionary<(int Run, int User), int> _last = [];

    public async Task<LoadResult> RunAsync(double clicksPerSecond, TimeSpan duration, Random random)
    {
        var users = Enumerable.Range(0, contractors).Select(i => new FakeUser(750_000_000_000_000_000UL + (ulong)i, $"contractor{i}")).ToArray();
        ulong[] roles = [contractorRole];
        _latencies.Clear();
        _updates = 0;
        _ephemeral = 0;
        _injectFailures = 0;
        var clicks = new List<Task>();
        fake.Store.Changed += OnChanged;
        var clock = Stopwatch.StartNew();
        long sent = 0;
        try
        {
            while (clock.Elapsed < duration)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * clicksPerSecond);
                for (; sent < due; sent++)
                {
                    var r = random.Next(runs.Count);
                    var u = random.Next(users.Length);
                    var candidate = _last.GetValueOrDefault((r, u)) % 3 + 1;
                    _last[(r, u)] = candidate;
                    var run = runs[r];
                    var user = users[u];
                    clicks.Add(Task.Run(() => ClickAsync(run, candidate, user, roles)));
                }
                await Task.Delay(1);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            await Task.WhenAll(clicks);
            // Answers still on their way: Discord's deadline is 3 s, wait a little longer than that.
            var drain = Stopwatch.StartNew();
            while (!_pending.IsEmpty && drain.Elapsed < TimeSpan.FromSeconds(5))
            {
                Sweep();
                await Task.Delay(20);
            }
            return new LoadResult(sent, seconds, Summary.Of([.. _latencies]), _latencies.Count,
                Interlocked.Read(ref _updates), Interlocked.Read(ref _ephemeral), _pending.Count, Interlocked.Read(ref _injectFailures));
        }
        finally
        {
            fake.Store.Changed -= OnChanged;
        }
    }

    private async Task ClickAsync(BenchRun run, int candidate, FakeUser user, ulong[] roles)
    {
        var injected = Stopwatch.GetTimestamp();
        try
        {
            var interaction = await fake.ClickButtonAsync(run.Thread, run.Message, CustomIds.Vote(new StepId(run.StepId), candidate), user, roles).ConfigureAwait(false);
            _pending[interaction.Id] = (interaction, injected);
            Sweep();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException or System.Net.WebSockets.WebSocketException)
        {
            Interlocked.Increment(ref _injectFailures);
        }
    }

    private void OnChanged() => Sweep();

    /// <summary>Moves answered interactions out of the pending set, timing them now (the fake has just stored the answer).</summary>
    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (id, entry) in _pending)
        {
            if (entry.Interaction.Response is not { } response || !_pending.TryRemove(id, out _)) continue;
            _latencies.Add(Stopwatch.GetElapsedTime(entry.Injected, now).TotalMilliseconds);
            if (response["type"]?.GetValue<int>() == 7) Interlocked.Increment(ref _updates);
            else Interlocked.Increment(ref _ephemeral);
        }
    }
}
