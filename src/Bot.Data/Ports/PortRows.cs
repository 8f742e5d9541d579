using RunSummary = Bot.Core.Ports.RunSummary;
using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data.Json;
using Bot.Data.Stores;

namespace Bot.Data.Ports;

/// <summary>Rows and conversions shared by the port adapters (snake_case names match the columns).</summary>
internal static class PortRows
{
    public sealed record RunRow(long id, long? parent_run_id, long? forked_from_step_id, long? branched_from_run, string? branch_kind, string task_name, string task_text, string model, string mode,
        string status, int? current_step, int step_count, string? discord_thread_id, string created_by, DateTime created_at, string settings, string? answer);

    public const string RunColumns = """
        r.id, r.parent_run_id, r.forked_from_step_id, (SELECT o.run_id FROM steps o WHERE o.id = r.forked_from_step_id) AS branched_from_run,
        r.branch_kind, r.task_name, r.task_text, r.model, r.mode, r.status, r.current_step,
        (SELECT count(*)::int FROM steps x WHERE x.run_id = r.id) AS step_count, r.discord_thread_id, r.created_by, r.created_at,
        r.settings::text AS settings, r.answer
        """;

    public static RunSummary ToSummary(RunRow r) => new(
        new RunId(r.id), r.parent_run_id is long p ? new RunId(p) : null, r.forked_from_step_id is long f ? new StepId(f) : null,
        r.branched_from_run is long o ? new RunId(o) : null, r.branch_kind is null ? null : DataJson.Parse<BranchKind>(r.branch_kind),
        r.task_name, r.task_text, r.model, DataJson.Parse<RunMode>(r.mode), DataJson.Parse<RunStatus>(r.status), r.current_step, r.step_count,
        Snowflake(r.discord_thread_id), new ActorId(r.created_by), RunStateLoader.Utc(r.created_at), DataJson.Deserialize<RunSettings>(r.settings), r.answer);

    public static ulong? Snowflake(string? text) =>
        text is not null && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string Text(ulong id) => id.ToString(CultureInfo.InvariantCulture);
}
