using Bot.Core.Domain;
using Bot.Discord.Bot.Presenting;
using Bot.Host.Agent;

namespace Bot.Host.Application;

/// <summary>Posts the agent loop's announcements in the run's thread through the presenter.</summary>
public sealed class DiscordRunAnnouncer(IStepPresenter presenter) : IRunAnnouncer
{
    public async Task AnnounceAsync(RunId runId, string idempotencyKey, string text, CancellationToken cancellationToken = default)
    {
        var posted = await presenter.PostNoticeAsync(runId, idempotencyKey, text, cancellationToken);
        if (posted.Error is { } error)
        {
            // Thrown so the work item retries: an announcement that was not made is not done.
            throw new InvalidOperationException($"Could not post to run {runId}'s thread: {error.Message}");
        }
    }
}
