namespace Bot.Data.Work;

/// <summary>
/// Wakes the local worker loop when work was enqueued by this process (other processes wake it
/// through PostgreSQL NOTIFY). Several signals before a wait count as one.
/// </summary>
public sealed class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try { if (_semaphore.CurrentCount == 0) _semaphore.Release(); }
        catch (SemaphoreFullException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Waits for a signal or until <paramref name="timeout"/> passes on <paramref name="timeProvider"/>'s clock; true when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await _semaphore.WaitAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _semaphore.Dispose();
}
