using System.Globalization;
using Bot.Data.Work;

namespace Bot.Host.Cli;

/// <summary>
/// <c>work list [--all]</c> and <c>work requeue ID</c>: the operator's view of work items that gave
/// up (status dead), without SQL. Exit codes: 0 done, 2 refused (bad arguments, an unknown id, or
/// an item that is not dead), so scripts can tell them apart from a crash (1).
/// </summary>
public static class WorkCli
{
    public const int Refused = 2;
    private const int ErrorWidth = 80;

    public const string Usage = """
        Usage: work list [--all]     dead work items (--all: every item that is not done)
               work requeue ID       give a dead item fresh attempts; a running bot performs it at once
        """;

    public static async Task<int> RunAsync(WorkQueue queue, IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        switch (args)
        {
            case ["list"]:
                return await ListAsync(queue, all: false, output, cancellationToken);
            case ["list", "--all"]:
                return await ListAsync(queue, all: true, output, cancellationToken);
            case ["requeue", var text]:
                return await RequeueAsync(queue, text, output, error, cancellationToken);
            case ["requeue", ..]:
                error.WriteLine("work requeue takes exactly one work item id (a number from `work list`).");
                return Refused;
            default:
                error.WriteLine(args.Count == 0 ? "work needs a subcommand." : $"Unknown work arguments: {string.Join(' ', args)}");
                error.WriteLine(Usage);
                return Refused;
        }
    }

    private static async Task<int> ListAsync(WorkQueue queue, bool all, TextWriter output, CancellationToken cancellationToken)
    {
        var rows = all ? await queue.ListUnfinishedAsync(cancellationToken) : await queue.ListDeadAsync(cancellationToken);
        if (rows.Count == 0)
        {
            output.WriteLine(all ? "No work items are waiting: everything is done." : "No dead work items.");
            return 0;
        }
        output.WriteLine($"{"id",8}  {"run",6}  {"step",4}  {"kind",-18}  {"attempts",8}  {"status",-8}  last error");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Id,8}  {(row.RunId?.ToString(CultureInfo.InvariantCulture) ?? "-"),6}  {(row.StepNumber?.ToString(CultureInfo.InvariantCulture) ?? "-"),4}  {row.Kind,-18}  {row.Attempts,8}  {row.Status,-8}  {OneLine(row.LastError)}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} item(s). Re-queue a dead one with: work requeue ID"));
        return 0;
    }

    private static async Task<int> RequeueAsync(WorkQueue queue, string text, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            error.WriteLine($"'{OneLine(text)}' is not a work item id: give the number from the id column of `work list`.");
            return Refused;
        }
        var result = await queue.RequeueAsync(id, cancellationToken);
        switch (result.Outcome)
        {
            case RequeueOutcome.Requeued:
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Work item {id} is pending again with fresh attempts; a running bot performs it at once."));
                return 0;
            case RequeueOutcome.Unknown:
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"There is no work item {id}. See `work list --all`."));
                return Refused;
            default:
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Work item {id} is {result.Status}, not dead: only dead items are re-queued (a pending or running one is being handled; a done one must not run twice)."));
                return Refused;
        }
    }

    // Errors come from other systems: one line, cut, with no control characters for the terminal.
    private static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return clean.Length <= ErrorWidth ? clean : clean[..(ErrorWidth - 1)] + "…";
    }
}
