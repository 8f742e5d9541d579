using Bot.Core.Domain;

namespace Bot.Host.Agent;

/// <summary>
/// Tells people about things the agent loop did that are not a step message: a stuck-check
/// reflection, a restart, a run's end and score. The Discord presenter implements it; without
/// Discord (tests of the loop alone, tools) nothing is announced.
/// </summary>
public interface IRunAnnouncer
{
    /// <summary>Posts <paramref name="text"/> to the run's thread once per <paramref name="idempotencyKey"/>.</summary>
    Task AnnounceAsync(RunId runId, string idempotencyKey, string text, CancellationToken cancellationToken = default);
}
