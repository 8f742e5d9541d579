using Bot.Core.Domain;

namespace Bot.Core.Ports;

/// <summary>
/// The work items of a run that gave up (status dead): how many, of which kinds, and the newest
/// error. A chat adapter shows this so a stuck side effect is visible without SQL.
/// </summary>
public sealed record DeadWorkSummary(int Count, IReadOnlyList<string> Kinds, string? LastError)
{
    public static DeadWorkSummary None { get; } = new(0, [], null);
}

/// <summary>Reads dead work items; re-queueing them is an operator's job (the CLI), not the chat's.</summary>
public interface IDeadWorkReader
{
    Task<DeadWorkSummary> GetDeadWorkAsync(RunId runId, CancellationToken cancellationToken = default);
}
