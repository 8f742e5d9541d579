using Bot.Core.Domain;
using System.Threading.Channels;
using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Data.Stores;

/// <summary>
/// Group commit for commands that arrive together (a burst of votes): callers submit one command
/// each and await its result; a single loop hands whatever is waiting (up to <c>maxBatch</c>) to
/// <see cref="RunCommandProcessor.HandleManyAsync"/> in one transaction. Each caller's task
/// completes only after that transaction committed, so an acknowledgement still means durable.
/// </summary>
public sealed class CommandBatcher : IAsyncDisposable
{
    private readonly RunCommandProcessor _processor;
    private readonly int _maxBatch;
    private readonly Channel<(RunCommandRequest Request, TaskCompletionSource<Result<CommandResult>> Done)> _channel =
        Channel.CreateUnbounded<(RunCommandRequest, TaskCompletionSource<Result<CommandResult>>)>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _loops;

    /// <param name="committers">Loops committing in parallel; each takes its own batch.</param>
    public CommandBatcher(RunCommandProcessor processor, int maxBatch = 64, int committers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(committers, 1);
        _processor = processor;
        _maxBatch = maxBatch;
        _loops = Enumerable.Range(0, committers).Select(_ => Task.Run(RunAsync)).ToArray();
    }

    public Task<Result<CommandResult>> SubmitAsync(RunId runId, RunCommand command, string? interactionId = null)
    {
        var done = new TaskCompletionSource<Result<CommandResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite((new RunCommandRequest(runId, command, interactionId), done)))
            throw new InvalidOperationException("The batcher is shut down.");
        return done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<(RunCommandRequest Request, TaskCompletionSource<Result<CommandResult>> Done)>(_maxBatch);
        while (await _channel.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _channel.Reader.TryRead(out var item)) batch.Add(item);
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
        _channel.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }
}
