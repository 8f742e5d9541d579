using System.Text.Json;
using Bot.Core.Domain;
using Bot.Core.Reporting.Figures;
using Bot.Data.Figures;
using Bot.Testing.Figures;
using Bot.Testing.Postgres;
using Dapper;

namespace Bot.Data.Tests.Figures;

/// <summary>
/// Contractors' accuracy on gold steps over <see cref="FigureDataset"/> plus seeded calibration posts
/// and answers. Expected values are worked out by hand (Wilson bounds to four places, computed
/// outside the code under test); calibration answers must leave every live figure as it was.
/// </summary>
public sealed class GoldFigureTests : IAsyncLifetime
{
    private static readonly FigureScope Week = new(FigureDataset.From, FigureDataset.To);
    private readonly PostgresDatabase _db = new();
    private FiguresPort _figures = null!;
    private FigureDataset.Ids _ids = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _figures = new FiguresPort(new FigureQueries(_db.Database));
        _ids = await FigureDataset.SeedAsync(_db.DataSource);
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private static ActorId P(int n) => new(FigureSeed.Person(n));

    /// <summary>
    /// Gold: R1s1 (decided 1) with answer 2, R3s1 (beta, decided 1) with answer 1, R2s2 marked then
    /// unmarked. Posts: P1 and P3 show R1s1, P2 shows R3s1, P4 shows R2s2.
    /// Person 1: P1→2 right, P2→1 right, P3→1 wrong (first 2, then changed to 1), P4→3 (unmarked: not counted): 2 of 3.
    /// Person 2: P1→1 wrong, P2→1 right: 1 of 2. Person 4 only answered calibration: P2→2 wrong, 0 of 1.
    /// Person 3: P1→2 right, but on March 9, after the week.
    /// </summary>
    private async Task SeedCalibrationAsync()
    {
        await using var c = await _db.DataSource.OpenConnectionAsync();
        long Step(long run, int number) => c.ExecuteScalar<long>("SELECT id FROM steps WHERE run_id = @run AND number = @number", new { run, number });
        long r1s1 = Step(_ids.R1, 1), r3s1 = Step(_ids.R3, 1), r2s2 = Step(_ids.R2, 2);
        var marked = FigureSeed.At(3, 4, 12);
        await c.ExecuteAsync("""
            INSERT INTO gold_steps (step_id, correct_candidate, marked_by, marked_at) VALUES (@r1s1, 2, 'discord:9', @marked), (@r3s1, 1, 'discord:9', @marked);
            """, new { r1s1, r3s1, marked });
        long Post(long step, int n) => c.ExecuteScalar<long>("""
            INSERT INTO calibration_posts (step_id, after_live_steps, created_at, message, posted_at) VALUES (@step, @n, @at, @message, @at) RETURNING id
            """, new { step, n, at = FigureSeed.At(3, 5, 9), message = $"80{n}" });
        long p1 = Post(r1s1, 1), p2 = Post(r3s1, 2), p3 = Post(r1s1, 3), p4 = Post(r2s2, 4);
        void Answer(long post, int person, int candidate, DateTime at) => c.Execute("""
            INSERT INTO calibration_answers (post_id, person, candidate, answered_at) VALUES (@post, @who, @candidate, @at)
            ON CONFLICT (post_id, person) DO UPDATE SET candidate = excluded.candidate, answered_at = excluded.answered_at
            """, new { post, who = FigureSeed.Person(person), candidate, at });
        var day = FigureSeed.At(3, 5, 10);
        Answer(p1, 1, 2, day);
        Answer(p2, 1, 1, day);
        Answer(p3, 1, 2, day);
        Answer(p3, 1, 1, day.AddMinutes(5));
        Answer(p4, 1, 3, day);
        Answer(p1, 2, 1, day);
        Answer(p2, 2, 1, day);
        Answer(p2, 4, 2, day);
        Answer(p1, 3, 2, FigureSeed.At(3, 9, 10));
    }

    private static void AssertWilson(ContractorRow row, int correct, int answered, double low, double high)
    {
        Assert.Equal((correct, answered), (row.Gold.Successes, row.Gold.Trials));
        Assert.Equal(low, row.Gold.Low!.Value, 4);
        Assert.Equal(high, row.Gold.High!.Value, 4);
    }

    [Fact]
    public async Task Gold_accuracy_counts_each_persons_latest_answer_per_post_against_the_current_gold_answer()
    {
        await SeedCalibrationAsync();

        var rows = (await _figures.GetContractorsAsync(Week)).Value.ToDictionary(r => r.Actor);

        // Wilson 95%: 2 of 3 [0.2077, 0.9385]; 1 of 2 [0.0945, 0.9055]; 0 of 1 [0, 0.7935].
        AssertWilson(rows[P(1)], 2, 3, 0.2077, 0.9385);
        AssertWilson(rows[P(2)], 1, 2, 0.0945, 0.9055);
        AssertWilson(rows[P(4)], 0, 1, 0.0, 0.7935);
        Assert.Equal(0, rows[P(3)].Gold.Trials);      // their one answer is after the week
        Assert.Null(rows[P(3)].Gold.Value);
    }

    [Fact]
    public async Task Gold_accuracy_follows_the_task_of_the_gold_steps_run()
    {
        await SeedCalibrationAsync();

        var rows = (await _figures.GetContractorsAsync(Week with { Task = "beta" })).Value.ToDictionary(r => r.Actor);

        // Only P2 shows a beta step (R3s1, answer 1): person 1 right, person 2 right, person 4 wrong. 1 of 1: [0.2065, 1].
        AssertWilson(rows[P(1)], 1, 1, 0.2065, 1.0);
        AssertWilson(rows[P(2)], 1, 1, 0.2065, 1.0);
        AssertWilson(rows[P(4)], 0, 1, 0.0, 0.7935);
    }

    [Fact]
    public async Task Calibration_answers_change_no_live_figure()
    {
        var before = (await _figures.GetReportAsync(Week)).Value;

        await SeedCalibrationAsync();
        var after = (await _figures.GetReportAsync(Week)).Value;

        static string Live(FigureReport r, IEnumerable<ContractorRow> rows) => JsonSerializer.Serialize(new
        {
            r.Agreement,
            r.Struggles,
            Contractors = rows.Select(c => c with { Gold = Statistics.Wilson(0, 0) }),
        });
        Assert.Equal(Live(before, before.Contractors), Live(after, after.Contractors.Where(c => c.Actor != P(4))));
        // Someone who answered only calibration steps has no live figure at all.
        var four = Assert.Single(after.Contractors, c => c.Actor == P(4));
        Assert.Equal((0, 0, 0, 0), (four.StepsSeen, four.StepsVoted, four.WithDecision.Of, four.WithOthers.Of));
        Assert.Equal(1, four.Gold.Trials);
    }
}
