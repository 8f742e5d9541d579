using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Data.Gold;
using Bot.Data.Work;
using Bot.Testing.Figures;
using Bot.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bot.Data.Tests.Gold;

/// <summary>Marking steps as gold and planning calibration posts, against a real PostgreSQL.</summary>
public sealed class GoldStepTests : IAsyncLifetime
{
    private readonly PostgresDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero));
    private GoldStore _gold = null!;
    private CalibrationStore _calibration = null!;
    private FigureSeed _seed = null!;
    private long _run;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _gold = new GoldStore(_db.Database, _time);
        _calibration = new CalibrationStore(_db.Database, new WorkQueue(_db.Database, _time, Options.Create(new WorkQueueOptions())), _time);
        _seed = new FigureSeed(_db.DataSource);
        _run = await _seed.RunAsync("alpha", "m1", "voting", FigureSeed.At(3, 1, 9), FigureSeed.At(3, 1, 9));
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private static readonly ActorId Researcher = ActorId.Discord(77);

    private Task<long> DecidedStepAsync(int number, int decided = 1) =>
        _seed.StepAsync(_run, number, FigureSeed.At(3, 1, 9 + number), FigureSeed.At(3, 1, 9 + number), decided: decided, method: "consensus");

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await _db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }

    private async Task ShowLiveStepsAsync(int count)
    {
        await using var c = await _db.DataSource.OpenConnectionAsync();
        for (int i = 0; i < count; i++)
        {
            long step = await _seed.StepAsync(_run, 100 + await c.ExecuteScalarAsync<int>("SELECT count(*) FROM steps"), FigureSeed.At(3, 2, 9), FigureSeed.At(3, 2, 9));
            await c.ExecuteAsync("UPDATE steps SET discord_message_id = @m WHERE id = @step", new { step, m = $"9{step}" });
        }
    }

    [Fact]
    public async Task A_decided_step_is_marked_with_the_researchers_answer_even_against_the_decision()
    {
        long step = await DecidedStepAsync(1, decided: 1);

        var marked = await _gold.MarkAsync(new StepId(step), 3, Researcher);

        Assert.Equal(new GoldMarked(new StepId(step), null, 3), marked.Value);
        Assert.Equal(3, await ScalarAsync<int>("SELECT correct_candidate FROM gold_steps WHERE step_id = @step", new { step }));
        Assert.Equal(Researcher.Value, await ScalarAsync<string>("SELECT marked_by FROM gold_steps WHERE step_id = @step", new { step }));
    }

    [Fact]
    public async Task Re_marking_replaces_the_answer_unmarking_removes_it_and_the_history_keeps_both()
    {
        long step = await DecidedStepAsync(1);
        await _gold.MarkAsync(new StepId(step), 2, Researcher);

        var changed = await _gold.MarkAsync(new StepId(step), 3, Researcher);
        var unmarked = await _gold.MarkAsync(new StepId(step), 0, Researcher);

        Assert.Equal((2, 3), (changed.Value.Previous, changed.Value.Current));
        Assert.Equal((3, (int?)null), (unmarked.Value.Previous, unmarked.Value.Current));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM gold_steps"));
        await using var c = await _db.DataSource.OpenConnectionAsync();
        Assert.Equal([2, 3, null], (await c.QueryAsync<int?>("SELECT correct_candidate FROM gold_step_history ORDER BY id")).ToList());
    }

    [Fact]
    public async Task A_step_that_is_not_decided_is_refused_and_nothing_is_stored()
    {
        long open = await _seed.StepAsync(_run, 1, FigureSeed.At(3, 1, 10), FigureSeed.At(3, 1, 10));
        var before = await _db.SnapshotAsync();

        var marked = await _gold.MarkAsync(new StepId(open), 1, Researcher);

        Assert.Equal(IGoldSteps.StepNotDecidedCode, marked.Error!.Code);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task A_candidate_the_step_does_not_have_is_refused_and_nothing_is_stored()
    {
        long step = await DecidedStepAsync(1);
        var before = await _db.SnapshotAsync();

        var marked = await _gold.MarkAsync(new StepId(step), 4, Researcher);

        Assert.Equal(IGoldSteps.UnknownCandidateCode, marked.Error!.Code);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task An_unknown_step_is_refused_and_nothing_is_stored()
    {
        var before = await _db.SnapshotAsync();

        var marked = await _gold.MarkAsync(new StepId(999_999), 1, Researcher);

        Assert.Equal("unknown_step", marked.Error!.Code);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task A_calibration_post_is_planned_with_its_work_item_once_every_n_live_steps()
    {
        long gold = await DecidedStepAsync(1);
        await _gold.MarkAsync(new StepId(gold), 2, Researcher);

        await ShowLiveStepsAsync(2);
        var early = await _calibration.PlanAfterLiveStepAsync(3);
        await ShowLiveStepsAsync(1);
        var due = await _calibration.PlanAfterLiveStepAsync(3);
        var again = await _calibration.PlanAfterLiveStepAsync(3);

        Assert.Null(early.Value);
        Assert.NotNull(due.Value);
        Assert.Null(again.Value);   // the same live step does not plan a second post
        Assert.Equal(gold, await ScalarAsync<long>("SELECT step_id FROM calibration_posts WHERE id = @id", new { id = due.Value }));
        Assert.Equal($"calibration:{due.Value}", await ScalarAsync<string>("SELECT idempotency_key FROM work_items WHERE kind = 'PostCalibration'"));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM work_items"));
    }

    [Fact]
    public async Task The_gold_step_shown_least_comes_next_then_the_one_marked_first()
    {
        long first = await DecidedStepAsync(1);
        long second = await DecidedStepAsync(2);
        await _gold.MarkAsync(new StepId(first), 1, Researcher);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _gold.MarkAsync(new StepId(second), 1, Researcher);

        var shown = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            await ShowLiveStepsAsync(1);
            var post = (await _calibration.PlanAfterLiveStepAsync(1)).Value!.Value;
            shown.Add(await ScalarAsync<long>("SELECT step_id FROM calibration_posts WHERE id = @post", new { post }));
        }

        Assert.Equal([first, second, first], shown);
    }

    [Fact]
    public async Task Without_gold_steps_or_with_calibration_off_nothing_is_planned()
    {
        await ShowLiveStepsAsync(2);
        var noGold = await _calibration.PlanAfterLiveStepAsync(1);
        long gold = await DecidedStepAsync(1);
        await _gold.MarkAsync(new StepId(gold), 1, Researcher);
        var off = await _calibration.PlanAfterLiveStepAsync(0);

        Assert.Null(noGold.Value);
        Assert.Null(off.Value);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM calibration_posts"));
    }

    [Fact]
    public async Task The_latest_answer_on_a_post_counts_and_an_answer_outside_the_candidates_is_refused()
    {
        long gold = await DecidedStepAsync(1);
        await _gold.MarkAsync(new StepId(gold), 2, Researcher);
        await ShowLiveStepsAsync(1);
        long post = (await _calibration.PlanAfterLiveStepAsync(1)).Value!.Value;
        var person = ActorId.Discord(5);

        var first = await _calibration.AnswerAsync(post, person, 1);
        var same = await _calibration.AnswerAsync(post, person, 1);
        var changed = await _calibration.AnswerAsync(post, person, 3);
        var before = await _db.SnapshotAsync();
        var refused = await _calibration.AnswerAsync(post, person, 7);

        Assert.Equal(new CalibrationAnswered(true, null), first.Value);
        Assert.Equal(new CalibrationAnswered(false, 1), same.Value);
        Assert.Equal(new CalibrationAnswered(true, 1), changed.Value);
        Assert.Equal("unknown_candidate", refused.Error!.Code);
        Assert.Equal(before, await _db.SnapshotAsync());
        var stored = (await _calibration.GetPostAsync(post)).Value;
        Assert.Equal([(person, 3)], stored.Answers.Select(a => (a.Voter, a.CandidateNumber)));
    }
}
