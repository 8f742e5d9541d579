using Bot.Discord.Bot.Interactions;
using Bot.Discord.Bot.Presenting;

namespace Bot.Discord.Tests.Bot;

/// <summary>In-memory state of the bot adapter stays bounded however many steps and people it sees.</summary>
public sealed class BoundedStateTests
{
    [Fact]
    public async Task Striped_locks_stay_the_same_size_after_ten_thousand_different_steps()
    {
        var locks = new StripedLocks(64);
        for (long step = 1; step <= 10_000; step++)
        {
            using (await locks.AcquireAsync(step)) { }
        }
        Assert.Equal(64, locks.Count);
    }

    [Fact]
    public async Task A_striped_lock_lets_one_holder_of_a_key_at_a_time()
    {
        var locks = new StripedLocks(8);
        var first = await locks.AcquireAsync(42);
        var second = locks.AcquireAsync(42);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public void Refusal_memory_answers_once_per_person_and_step_and_forgets_the_oldest_past_its_capacity()
    {
        var memory = new RefusalMemory(capacity: 100);
        Assert.True(memory.FirstTime(1, 10));
        Assert.False(memory.FirstTime(1, 10));
        Assert.True(memory.FirstTime(1, 11));
        Assert.True(memory.FirstTime(2, 10));
        for (long step = 100; step < 1_100; step++) memory.FirstTime(3, step);
        Assert.Equal(100, memory.Count);
        // The first entry was evicted: one more refusal at worst, never unbounded memory.
        Assert.True(memory.FirstTime(1, 10));
    }
}

/// <summary>Stuck steps render their controls and stay within Discord's five action rows.</summary>
public sealed class StuckStepRenderingTests
{
    private static IReadOnlyList<string> Ids(global::Bot.Discord.Api.MessageCreate message) =>
        (message.Components ?? []).SelectMany(row => row.Components ?? []).Select(c => c.CustomId).OfType<string>().ToList();

    [Fact]
    public void An_interrupted_step_with_twenty_candidates_shows_re_run_and_skip_in_five_rows()
    {
        var step = Views.Step(candidates: 20, status: global::Bot.Core.Domain.RunStatus.ExecutionInterrupted);
        var message = global::Bot.Discord.Bot.Rendering.StepRenderer.Render(step, Views.Now).Message;
        Assert.Equal(5, message.Components!.Count);
        Assert.Contains(global::Bot.Discord.Bot.CustomIds.Rerun(step.StepId), Ids(message));
        Assert.Contains(global::Bot.Discord.Bot.CustomIds.Skip(step.StepId), Ids(message));
        Assert.DoesNotContain(global::Bot.Discord.Bot.CustomIds.Decide(step.StepId), Ids(message));
    }

    [Fact]
    public void A_step_whose_generation_failed_shows_retry_and_says_who_can_use_it()
    {
        var step = Views.Step(candidates: 0, status: global::Bot.Core.Domain.RunStatus.GeneratingCandidates) with { GenerationFailure = "HTTP 500 from the endpoint" };
        var message = global::Bot.Discord.Bot.Rendering.StepRenderer.Render(step, Views.Now).Message;
        Assert.Equal([global::Bot.Discord.Bot.CustomIds.Retry(step.StepId)], Ids(message));
        Assert.Contains("a researcher can press Retry", message.Embeds![0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_voting_step_has_no_stuck_controls()
    {
        var step = Views.Step();
        var ids = Ids(global::Bot.Discord.Bot.Rendering.StepRenderer.Render(step, Views.Now).Message);
        Assert.DoesNotContain(ids, id => id.StartsWith("retry:", StringComparison.Ordinal) || id.StartsWith("rerun:", StringComparison.Ordinal) || id.StartsWith("skip:", StringComparison.Ordinal));
    }
}
