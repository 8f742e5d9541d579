using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Bot.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class LiveAndAccessibilityTests(WebFixture web) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => web.CloseContextsAsync();

    [Fact]
    public async Task An_open_run_page_shows_a_new_step_and_a_new_vote_without_being_reloaded()
    {
        var commands = web.Services.GetRequiredService<IRunCommands>();
        var started = await commands.StartRunAsync(new StartRunRequest("live-task", "Watch me.", "fake-model-1", Scenario.Settings, Scenario.Researcher));
        var run = started.Value;
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        await page.GotoAsync($"{web.BaseUrl}runs/{run}");
        await Assertions.Expect(page.Locator("article.step")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("article#step-1 .candidates")).ToHaveCountAsync(0);
        // Marks this document: a reload would make a new one without the mark.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        await Scenario.Handle(commands, run, new CandidatesGenerated(Scenario.Model, 1, [Scenario.Bash("uname -a", "where am I")]));
        await Assertions.Expect(page.Locator("article#step-1 .candidates")).ToContainTextAsync("uname -a");
        await Scenario.Handle(commands, run, new CastVote(Scenario.Bob, 1, 1));
        await Assertions.Expect(page.Locator("article#step-1 .decision")).ToContainTextAsync("1 vote(s) of quorum 2");

        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task The_runs_list_shows_a_run_started_after_it_was_opened_without_being_reloaded()
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);
        await Assertions.Expect(page.Locator("table.runs")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var commands = web.Services.GetRequiredService<IRunCommands>();
        var started = await commands.StartRunAsync(new StartRunRequest("late-task", "Arrives later.", "fake-model-1", Scenario.Settings, Scenario.Researcher));

        await Assertions.Expect(page.Locator($"table.runs tbody tr:has(a[href='/runs/{started.Value}'])")).ToContainTextAsync("late-task");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
    }

    [Fact]
    public async Task A_change_that_leaves_the_runs_list_as_it_was_replaces_nothing_on_it()
    {
        var commands = web.Services.GetRequiredService<IRunCommands>();
        var started = await commands.StartRunAsync(new StartRunRequest("quiet-task", "Votes do not show in the list.", "fake-model-1", Scenario.Settings, Scenario.Researcher));
        var run = started.Value;
        await Scenario.Handle(commands, run, new CandidatesGenerated(Scenario.Model, 1, [Scenario.Bash("uname -a", "where am I")]));
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);
        await Assertions.Expect(page.Locator($"table.runs a[href='/runs/{run}']")).ToBeVisibleAsync();
        // An expando, not an attribute: only the same element, not a copy swapped in, still has it.
        await page.EvaluateAsync("() => { document.querySelector('table.runs').kept = true; }");

        // A vote moves the list's version (the sum of the runs' versions) but no column of the list.
        await Scenario.Handle(commands, run, new CastVote(Scenario.Bob, 1, 1));
        var version = await web.Services.GetRequiredService<IRunBrowser>().GetListVersionAsync();

        await Assertions.Expect(page.Locator("#runs-live")).ToHaveAttributeAsync("data-seen", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('table.runs').kept === true"));
    }

    [Fact]
    public async Task A_link_pressed_before_the_list_changes_and_released_after_still_opens()
    {
        var commands = web.Services.GetRequiredService<IRunCommands>();
        var run = (await commands.StartRunAsync(new StartRunRequest("pressed-task", "Clicked while the list moves.", "fake-model-1", Scenario.Settings, Scenario.Researcher))).Value;
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);
        var link = page.Locator($"table.runs a[href='/runs/{run}']");
        await Assertions.Expect(link).ToBeVisibleAsync();
        var box = (await link.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();

        // A run started while the button is down redraws the list under the pointer.
        await commands.StartRunAsync(new StartRunRequest("moving-task", "Arrives mid-click.", "fake-model-1", Scenario.Settings, Scenario.Researcher));
        var version = await web.Services.GetRequiredService<IRunBrowser>().GetListVersionAsync();
        await Assertions.Expect(page.Locator("#runs-live")).ToHaveAttributeAsync("data-seen", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Mouse.UpAsync();

        await page.WaitForURLAsync($"{web.BaseUrl}runs/{run}", WebFixture.Navigated);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("pressed-task");
    }

    [Fact]
    public async Task The_tree_can_be_walked_with_the_keyboard_and_enter_opens_a_run()
    {
        var page = await web.SignedInAsync(Scenario.Alice, WebRole.Contractor);
        await page.GotoAsync($"{web.BaseUrl}runs/{web.Scenario.Parent}");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        var reached = false;
        for (var i = 0; i < 40 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>($"() => document.activeElement.getAttribute('href') === '/runs/{web.Scenario.Fork}'");
        }
        Assert.True(reached, "Tab never reached the fork's node in the tree.");

        await page.Keyboard.PressAsync("Enter");

        try
        {
            await page.WaitForURLAsync($"{web.BaseUrl}runs/{web.Scenario.Fork}", WebFixture.Navigated);
        }
        catch (TimeoutException)
        {
            // Seen once in CI (session 6) and not reproduced: say where focus and the page were.
            var focused = await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 300) : 'none'");
            Assert.Fail($"Enter on the fork's node did not navigate; page {page.Url}, focus on {focused}; server log: {string.Join(" | ", web.Logs.TakeLast(15))}");
        }
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("(fork)");
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("runs/{parent}")]
    [InlineData("runs/{parent}/steps/1")]
    [InlineData("me")]
    [InlineData("models")]
    [InlineData("contractors")]
    [InlineData("exports")]
    public async Task Pages_have_no_axe_violations_for_labels_contrast_or_names(string path)
    {
        var page = await web.SignedInAsync(Scenario.Researcher, WebRole.Researcher);
        await page.GotoAsync(web.BaseUrl + path.Replace("{parent}", web.Scenario.Parent.ToString(), StringComparison.Ordinal));

        var results = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa"] },
        });

        Assert.True(results.Violations.Length == 0,
            string.Join("\n", results.Violations.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
        Assert.True(results.Passes.Length > 0);
    }
}
