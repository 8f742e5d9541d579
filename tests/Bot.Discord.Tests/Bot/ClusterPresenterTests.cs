using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Stores;
using Bot.Core.Ports;
using Bot.Discord.Bot.Presenting;
using Bot.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;
using StartRunRequest = Bot.Core.Ports.StartRunRequest;

namespace Bot.Discord.Tests.Bot;

/// <summary>Two bot processes (two service providers) on one database and one Discord.</summary>
public sealed class ClusterPresenterTests(BotHarness h) : IClassFixture<BotHarness>
{
    [Fact]
    public async Task Two_processes_presenting_the_same_new_run_at_once_open_one_thread_and_post_the_step_once()
    {
        using var other = BotHarness.Build(h.Fake, h.Db, connectGateway: false);
        await other.StartAsync();
        var settings = new RunSettings(RunMode.Vote, ConsensusPolicy.Default with { Quorum = 2, VotingWindow = null }, 2);
        var run = (await h.Get<IRunCommands>().StartRunAsync(new StartRunRequest("fix-the-build", "Make `make` pass.", "gpt-test", settings, ActorId.Discord(FakeUser.Carol.Id)))).Value;
        var generated = Enumerable.Range(1, 2)
            .Select(n => new NewCandidate(CandidateKind.Bash, $"make -j{n}", "Try the build", CandidateSource.Model, ActorId.Model("gpt-test"))).ToList();
        Assert.True((await h.Get<RunCommandProcessor>().HandleAsync(run, new CandidatesGenerated(ActorId.Model("gpt-test"), 1, generated))).IsSuccess);
        IStepPresenter[] presenters = [h.Get<IStepPresenter>(), other.Services.GetRequiredService<IStepPresenter>()];

        // Discord answers slowly, so without a lock shared by both processes both would find no
        // thread (no message) stored yet and create one each.
        h.Fake.Faults.Add(new RestFault { Kind = FaultKind.Delay, Duration = TimeSpan.FromSeconds(1), Matches = FakeRestFaults.Route("POST", "/threads"), Remaining = 2 });
        var threads = await Task.WhenAll(presenters.Select(p => p.EnsureThreadAsync(run)));
        Assert.All(threads, t => Assert.True(t.IsSuccess, t.Error?.ToString()));
        Assert.Equal(threads[0].Value, threads[1].Value);
        Assert.Single(h.Fake.Rest.Requests, r => r.Method == "POST" && r.Path.EndsWith($"channels/{h.Fake.DefaultChannelId}/threads", StringComparison.Ordinal));

        var thread = threads[0].Value;
        h.Fake.Faults.Add(new RestFault { Kind = FaultKind.Delay, Duration = TimeSpan.FromSeconds(1), Matches = FakeRestFaults.Route("POST", $"/channels/{thread}/messages"), Remaining = 2 });
        var rendered = await Task.WhenAll(presenters.Select(p => p.RenderStepAsync(run, 1)));
        Assert.All(rendered, r => Assert.True(r.IsSuccess, r.Error?.ToString()));

        var step = (await h.Get<IStepReader>().GetStepAsync(run, 1)).Value;
        var nonce = "s" + step.StepId.Value.ToString(CultureInfo.InvariantCulture);
        // One create request for the step (the other process edited the message it found stored), and one message.
        Assert.Single(h.Fake.Rest.Requests, r => r.Method == "POST" && r.Path.EndsWith($"channels/{thread}/messages", StringComparison.Ordinal)
            && r.Body?["nonce"]?.ToString() == nonce);
        Assert.Single(h.Fake.MessagesIn(thread), m => m.CustomIds().Any(id => id.StartsWith("vote:", StringComparison.Ordinal)));
        await other.StopAsync();
    }
}
