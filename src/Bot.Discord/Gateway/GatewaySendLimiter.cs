namespace Bot.Discord.Gateway;

/// <summary>
/// Discord closes a connection that sends more than 120 events per 60 s (4008). Ordinary sends are
/// held to a smaller budget so heartbeats, which bypass it, always fit.
/// </summary>
internal sealed class GatewaySendLimiter(int budget, TimeSpan window, TimeProvider time)
{
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly object _gate = new();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                while (_sent.Count > 0 && now - _sent.Peek() >= window)
                {
                    _sent.Dequeue();
                }
                if (_sent.Count < budget)
                {
                    _sent.Enqueue(now);
                    return;
                }
                wait = _sent.Peek() + window - now;
            }
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
