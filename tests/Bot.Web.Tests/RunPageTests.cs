using Bot.Core.Ports;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class RunPageTests(WebFixture web) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => web.CloseContextsAsync();

    [Fact]
    public async Task The_runs_list_shows_every_run_and_filters_by_status_and_sorts_by_task()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);

        // Other tests of the collection may add runs of their own tasks; this scenario's are three.
        var rows = page.Locator("table.runs tbody tr").Filter(new() { HasText = "find-password" });
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("table.runs")).ToContainTextAsync("sub-run");
        await Assertions.Expect(page.Locator("table.runs")).ToContainTextAsync("fork");

        await page.GetByLabel("Status").SelectOptionAsync("completed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync($"Run {web.Scenario.SubRun}");
        Assert.Contains("status=completed", page.Url, StringComparison.Ordinal);

        await page.GotoAsync($"{web.BaseUrl}runs?sort=task&dir=asc");
        await Assertions.Expect(rows.First).ToContainTextAsync("find-password");
        await Assertions.Expect(rows.Last).ToContainTextAsync("find-password / verify");
    }

    [Fact]
    public async Task An_invalid_filter_is_refused_with_what_the_parameter_accepts()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);

        var response = await page.GotoAsync($"{web.BaseUrl}runs?status=exploded&from=yesterday&sort=id;drop");

        Assert.Equal(400, response!.Status);
        var problems = page.Locator(".problems");
        await Assertions.Expect(problems).ToContainTextAsync("'status' must be one of generating_candidates");
        await Assertions.Expect(problems).ToContainTextAsync("'from' must be a date like 2025-01-31");
        await Assertions.Expect(problems).ToContainTextAsync("'sort' must be one of created");
        await Assertions.Expect(page.Locator("table.runs")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_run_tree_shows_the_sub_run_and_the_fork_and_a_click_opens_the_sub_run()
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);
        await page.GotoAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}");

        var tree = page.Locator("svg.tree");
        await Assertions.Expect(tree.Locator("a")).ToHaveCountAsync(3);
        var sub = tree.Locator($"a[href='/runs/{web.Scenario.SubRun}']");
        var fork = tree.Locator($"a[href='/runs/{web.Scenario.Fork}']");
        await Assertions.Expect(sub).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^sub-run Run \\d+ from step 2, .*: passed|completed"));
        await Assertions.Expect(fork).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^fork Run \\d+ from step 1, "));
        await Assertions.Expect(tree.Locator("path.edge-sub-run")).ToHaveCountAsync(1);
        await Assertions.Expect(tree.Locator("path.edge-fork")).ToHaveCountAsync(1);
        await Assertions.Expect(tree.Locator("rect.current")).ToHaveCountAsync(1);
        await WebFixture.ScreenshotAsync(page, "02-run-page");

        await sub.ClickAsync();

        await page.WaitForURLAsync($"{web.BaseUrl}runs/{web.Scenario.SubRun}", WebFixture.Navigated);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("(sub-run)");
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("yes, hunter2 is current");
        // On the sub-run's page the path from the root to it is marked.
        await Assertions.Expect(page.Locator("svg.tree path.edge.on-path")).ToHaveCountAsync(1);
        await WebFixture.ScreenshotAsync(page, "03-sub-run-page");
    }

    [Fact]
    public async Task A_steps_page_shows_candidates_votes_judge_ratings_tags_the_decision_and_the_full_output()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        await page.GotoAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Step 1", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}/steps/1", WebFixture.Navigated);

        var step = page.Locator("article#step-1");
        await Assertions.Expect(step.Locator(".decision")).ToContainTextAsync("Chosen: #2 · by consensus of the votes");
        var chosen = step.Locator("tr.chosen");
        await Assertions.Expect(chosen).ToContainTextAsync("grep -rn PASSWORD archive");
        await Assertions.Expect(chosen).ToContainTextAsync("2: user 201, user 202");
        await Assertions.Expect(chosen).ToContainTextAsync("8/10 (pick)");
        await Assertions.Expect(chosen).ToContainTextAsync("+2 (1)");
        await Assertions.Expect(step.Locator(".tags")).ToContainTextAsync("information-gathering");
        await Assertions.Expect(step.Locator(".output")).ToContainTextAsync(Scenario.Secret);
        await Assertions.Expect(step.Locator(".output")).ToContainTextAsync("archive/log-120.txt");
        await Assertions.Expect(step.Locator(".output")).ToContainTextAsync("Permission denied");
        await Assertions.Expect(step.Locator("a.chat")).ToHaveAttributeAsync("href", $"https://discord.com/channels/1/{Scenario.ParentThread}/{Scenario.FirstStepMessage}");
        await WebFixture.ScreenshotAsync(page, "04-step-page");
    }

    [Fact]
    public async Task An_open_blind_step_hides_its_tally_and_the_judge_as_the_discord_message_does()
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        await page.GotoAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}/steps/3");

        var step = page.Locator("article#step-3");
        await Assertions.Expect(step.Locator(".decision")).ToContainTextAsync("1 vote(s) of quorum 2 · tallies hidden until decided");
        await Assertions.Expect(step.Locator("tbody tr").First.Locator("td.num")).ToHaveTextAsync("hidden");
        await Assertions.Expect(step).Not.ToContainTextAsync("user 201");
    }

    [Fact]
    public async Task Unknown_runs_steps_and_addresses_get_a_404_page()
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);

        foreach (var path in new[] { "runs/999999", "runs/abc", "runs/-1", $"runs/{web.Scenario.Parent}/steps/99", "nothing/here" })
        {
            var response = await page.GotoAsync(web.BaseUrl + path);
            Assert.Equal(404, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(No such run|No such step|Not found)$"));
            await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("Exception");
        }
        await WebFixture.ScreenshotAsync(page, "08-not-found");
    }
}
