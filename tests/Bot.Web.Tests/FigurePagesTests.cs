using Bot.Core.Ports;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Web.Figures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class FigurePagesTests(WebFixture web) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => web.CloseContextsAsync();

    [Fact]
    public async Task The_models_page_draws_the_struggle_table_as_a_chart_and_the_table_beside_it_opens_the_runs_behind_a_cell()
    {
        // Two runs of another task that have ended: one answered (no scoring: a success), one aborted.
        var commands = web.Services.GetRequiredService<IRunCommands>();
        var answered = (await commands.StartRunAsync(new StartRunRequest("heat-map-task", "Say hi.", "fake-model-1", Scenario.Settings, Scenario.Researcher))).Value;
        await Scenario.Handle(commands, answered, new CandidatesGenerated(Scenario.Model, 1, [new NewCandidate(CandidateKind.Submit, "hi", "asked to", CandidateSource.Model, Scenario.Model)]));
        await Scenario.Handle(commands, answered, new OverrideDecision(Scenario.Researcher, 1, 1));
        var aborted = (await commands.StartRunAsync(new StartRunRequest("heat-map-task", "Say hi.", "fake-model-1", Scenario.Settings, Scenario.Researcher))).Value;
        await Scenario.Handle(commands, aborted, new AbortRun(Scenario.Researcher, "enough"));

        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        var response = await page.GotoAsync($"{web.BaseUrl}models");
        Assert.Equal(200, response!.Status);

        var chart = page.GetByRole(AriaRole.Img, new() { NameString = "Heat map of success rate by task and model" });
        await Assertions.Expect(chart).ToHaveCountAsync(1);
        // One cell per row of the table (every task and model pair with something in the range).
        var pairs = await page.Locator("table tbody tr").CountAsync();
        Assert.True(pairs >= 2);
        await Assertions.Expect(chart.Locator(CellBorders)).ToHaveCountAsync(pairs);
        // The scenario's runs have not ended: the success cell says so rather than showing 0%.
        Assert.Equal([HeatMapChart.Fill(null), "no data"], await CellAsync(page, "find-password", "fake-model-1"));
        // One of the two ended runs succeeded.
        Assert.Equal([HeatMapChart.Fill(0.5), "50%"], await CellAsync(page, "heat-map-task", "fake-model-1"));
        await Assertions.Expect(page.Locator("table tbody")).ToContainTextAsync("information-gathering");
        await WebFixture.ScreenshotAsync(page, "10-models-and-tasks");

        await page.Locator("table tbody a[href='/runs?task=find-password&model=fake-model-1']").ClickAsync();

        await page.WaitForURLAsync($"{web.BaseUrl}runs?task=find-password&model=fake-model-1", WebFixture.Navigated);
        await Assertions.Expect(page.Locator($"table.runs a[href='/runs/{web.Scenario.Parent}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"table.runs a[href='/runs/{web.Scenario.Fork}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"table.runs a[href='/runs/{answered}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_heat_map_coloured_by_a_tag_shows_the_share_of_steps_carrying_it()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        await page.GotoAsync($"{web.BaseUrl}models");

        await page.GetByRole(AriaRole.Link, new() { Name = "tag information-gathering" }).ClickAsync();

        await Assertions.Expect(page.Locator("h2").First).ToHaveTextAsync("Steps tagged information-gathering (share of steps)");
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameString = "Heat map of share of steps tagged information-gathering" })).ToHaveCountAsync(1);
        // Five steps of the scenario: the parent's three, the sub-run's one and the fork's opening step; only the parent's step 1 carries the tag.
        Assert.Equal([HeatMapChart.Fill(0.2), "20%"], await CellAsync(page, "find-password", "fake-model-1"));
        await WebFixture.ScreenshotAsync(page, "11-models-by-tag");
    }

    /// <summary>Each cell's border: the only rectangles drawn unfilled in <see cref="HeatMapChart.CellBorder"/>.</summary>
    private const string CellBorders = "rect[fill='none'][stroke='white']";

    /// <summary>
    /// The fill and the number of the cell in the task's row and the model's column, found as a reader
    /// finds it: the cell level with the task's label and above the model's, and the text inside it.
    /// </summary>
    private static async Task<string[]> CellAsync(IPage page, string task, string model) => await page.EvaluateAsync<string[]>("""
        ([task, model, borders]) => {
            const svg = document.querySelector('svg.heatmap');
            const texts = [...svg.querySelectorAll('text')];
            const box = e => e.getBoundingClientRect();
            const inside = (r, x, y) => r.left <= x && x <= r.right && r.top <= y && y <= r.bottom;
            const row = box(texts.find(t => t.textContent.trim() === task)), column = box(texts.find(t => t.textContent.trim() === model));
            const x = column.left + column.width / 2, y = row.top + row.height / 2;
            const cell = [...svg.querySelectorAll(borders)].map(b => b.previousElementSibling).find(c => inside(box(c), x, y));
            if (!cell) return ['no cell', ''];
            const value = texts.find(t => { const r = box(t); return inside(box(cell), r.left + r.width / 2, r.top + r.height / 2); });
            return [cell.getAttribute('fill').toLowerCase(), value ? value.textContent.trim() : 'no text'];
        }
        """, new[] { task, model, CellBorders });

    [Theory]
    [InlineData("models?from=yesterday", "'from' must be a date")]
    [InlineData("models?from=2026-03-02&to=2026-03-01", "'to' is before 'from'")]
    [InlineData("models?show=not-a-tag", "'show' must be success or a tag")]
    [InlineData("models?colour=red", "'colour' is not a parameter of this page")]
    [InlineData("contractors?to=31/01/2026", "'to' must be a date")]
    [InlineData("contractors?show=success", "'show' is not a parameter of this page")]
    public async Task A_bad_query_parameter_gives_a_400_page_naming_it(string path, string message)
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);

        var response = await page.GotoAsync(web.BaseUrl + path);

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(message);
    }

    [Fact]
    public async Task The_contractors_page_shows_each_persons_quality_figures_and_the_agreement()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        var response = await page.GotoAsync($"{web.BaseUrl}contractors?from=2000-01-01");
        Assert.Equal(200, response!.Status);

        // Alice and Bob both voted for #2 on step 1, which was decided for #2 and which the judge scored best.
        var alice = page.Locator("table.contractors tr:has(th:text-is('user 201'))");
        await Assertions.Expect(alice.Locator("td").Nth(2)).ToHaveTextAsync("1/1 100%");
        await Assertions.Expect(alice.Locator("td").Nth(4)).ToHaveTextAsync("1/1 100%");
        await Assertions.Expect(page.Locator("table.contractors th:text-is('user 202')")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.agreement th:text-is('every task')")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.agreement")).ToContainTextAsync("information-gathering");
        // The chart: a bar for every "with the decision" figure the table has, Alice's among them at 100%.
        var chart = page.GetByRole(AriaRole.Img, new() { NameString = "Bar chart of each person's votes" });
        await Assertions.Expect(chart.Locator("text", new() { HasTextString = "user 201" })).ToHaveCountAsync(1);
        var withDecision = (await page.Locator("table.contractors tbody tr td:nth-of-type(3)").AllInnerTextsAsync()).Count(t => t != "-");
        Assert.True(withDecision >= 2);
        await Assertions.Expect(chart.Locator($"rect[fill='{ContractorChart.Series[0].Colour.ToUpperInvariant()}']")).ToHaveCountAsync(withDecision + 1); // and the legend's swatch
        await WebFixture.ScreenshotAsync(page, "12-contractors");
    }

    [Theory]
    [InlineData("models")]
    [InlineData("contractors")]
    [InlineData("exports")]
    [InlineData("exports/download?format=steps")]
    public async Task A_contractor_is_refused_the_researchers_figure_and_export_pages(string path)
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);

        var response = await page.GotoAsync(web.BaseUrl + path);

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Researchers only");
        await Assertions.Expect(page.Locator("header nav")).Not.ToContainTextAsync("Contractors");
    }
}
