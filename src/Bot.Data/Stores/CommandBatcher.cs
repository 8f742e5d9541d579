using Bot.Core.Domain;
using System.Threading.Channels;
using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Data.Stores;

/// <summary>
/// Group commit for commands that arrive together (a burst of votes): callers submit one command
/// each and await its result; a committer loop hands whatever is waiting (up to <c>maxBatch</c>) to
/// <see cref="RunCommandProcessor.HandleManyAsync"/> in one transaction. Each caller's task
/// completes only after that transaction committed, so an acknowledgement still means durable.
/// Each committer owns the runs whose id falls in its partition: two batches in flight never lock
/// the same run row, so one never waits for the other's commit (measured: with shared queues the
/// run-row lock wait was most of the database time per vote; docs/benchmarks.md, "The click path").
/// </summary>
public sealed class CommandBatcher : IAsyncDisposable
{
    /// <summary>The default of <see cref="DatabaseOptions.Committers"/> (measured against 2 and 8 in docs/benchmarks.md).</summary>
    public const int DefaultCommitters = 4;

    private readonly RunCommandProcessor _processor;
    private readonly int _maxBatch;
    private readonly Channel<(RunCommandRequest Request, TaskCompletionSource<Result<CommandResult>> Done)>[] _partitions;
    private readonly Task[] _loops;

    /// <param name="committers">Loops committing in parallel, each for its own partition of the runs.</param>
    public CommandBatcher(RunCommandProcessor processor, int maxBatch = 64, int committers = DefaultCommitters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(committers, 1);
        _processor = processor;
        _maxBatch = maxBatch;
        _partitions = Enumerable.Range(0, committers)
            .Select(_ => Channel.CreateUnbounded<(RunCommandRequest, TaskCompletionSource<Result<CommandResult>>)>(new UnboundedChannelOptions { SingleReader = true }))
            .ToArray();
        _loops = _partitions.Select(p => Task.Run(() => RunAsync(p.Reader))).ToArray();
    }

    public Task<Result<CommandResult>> SubmitAsync(RunId runId, RunCommand command, string? interactionId = null)
    {
        var done = new TaskCompletionSource<Result<CommandResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var partition = _partitions[(int)((ulong)runId.Value % (ulong)_partitions.Length)];
        if (!partition.Writer.TryWrite((new RunCommandRequest(runId, command, interactionId), done)))
            throw new InvalidOperationException("The batcher is shut down.");
        return done.Task;
    }

    private async Task RunAsync(ChannelReader<(RunCommandRequest Request, TaskCompletionSource<Result<CommandResult>> Done)> reader)
    {
        var batch = new List<(RunCommandRequest Request, TaskCompletionSource<Result<CommandResult>> Done)>(_maxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            try
            {
                var results = await _processor.HandleManyAsync(batch.Select(b => b.Request).ToList());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception ex)
            {
                // Nothing of this batch was committed; every caller learns it.
                foreach (var b in batch) b.Done.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions) partition.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }
}
