using Bot.Core.Ports;
using Bot.Testing.Postgres;
using Dapper;

namespace Bot.Data.Tests.Export;

/// <summary>Calibration posts are not steps: gold marks, posts and answers leave every export as it was.</summary>
public sealed class GoldExportTests(PostgresDatabase db) : ExportTestBase(db), IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData(ExportFormat.Steps)]
    [InlineData(ExportFormat.Preferences)]
    [InlineData(ExportFormat.Stepwise)]
    [InlineData(ExportFormat.Csv)]
    public async Task Calibration_posts_and_answers_do_not_appear_in_exports(ExportFormat format)
    {
        var (_, before) = await ExportAsync(format);
        Assert.Contains(before.Files.Values, bytes => bytes.Length > 0);

        await using (var c = await Db.DataSource.OpenConnectionAsync())
        {
            // Each theory case seeds its own post on the shared fixture; after_live_steps only has to be unique.
            await c.ExecuteAsync("""
                WITH gold AS (
                    INSERT INTO gold_steps (step_id, correct_candidate, marked_by, marked_at)
                    SELECT step_id, candidate_number, 'discord:9', now() FROM decisions ORDER BY step_id LIMIT 1
                    ON CONFLICT (step_id) DO UPDATE SET marked_at = excluded.marked_at
                    RETURNING step_id, correct_candidate),
                post AS (
                    INSERT INTO calibration_posts (step_id, after_live_steps, created_at, message, posted_at)
                    SELECT step_id, (SELECT coalesce(max(after_live_steps), 0) + 1 FROM calibration_posts), now(), '123', now() FROM gold
                    RETURNING id)
                INSERT INTO calibration_answers (post_id, person, candidate, answered_at)
                SELECT post.id, 'discord:' || n, gold.correct_candidate, now() FROM post, gold, generate_series(1, 3) n
                """);
        }
        var (_, after) = await ExportAsync(format);

        Assert.Equal(before.Files.Keys.Order(), after.Files.Keys.Order());
        foreach (var name in before.Files.Keys) Assert.Equal(before.Text(name), after.Text(name));
    }
}
