using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Data.Work;

/// <summary>A claimed work item: the id of its row, which attempt this is, and the key to perform it idempotently.</summary>
public sealed record WorkContext(long WorkItemId, int Attempt, string IdempotencyKey, string WorkerId);

/// <summary>
/// Performs one kind of work item (other projects implement it: post a Discord message, call the
/// model, run a command). Success marks the item done. A failed Result or an exception retries
/// with backoff; an error that is not <see cref="Error.IsTransient"/> marks the item dead at once.
/// </summary>
public interface IWorkHandler
{
    /// <summary>The kind handled, as in <see cref="Json.WorkKinds"/> (ExecuteActionWork = "ExecuteAction").</summary>
    string Kind { get; }

    Task<Result> HandleAsync(WorkItem item, WorkContext context, CancellationToken cancellationToken = default);
}

/// <summary>Typed convenience base for <see cref="IWorkHandler"/>.</summary>
public abstract class WorkHandler<TWork> : IWorkHandler where TWork : WorkItem
{
    public string Kind => Json.WorkKinds.Of<TWork>();

    public Task<Result> HandleAsync(WorkItem item, WorkContext context, CancellationToken cancellationToken = default) =>
        HandleAsync((TWork)item, context, cancellationToken);

    protected abstract Task<Result> HandleAsync(TWork item, WorkContext context, CancellationToken cancellationToken);
}
