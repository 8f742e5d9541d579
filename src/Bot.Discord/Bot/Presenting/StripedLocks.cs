namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// A fixed set of async locks picked by key hash. A dictionary of one semaphore per step or run
/// grows with every step the process ever rendered; a fixed array cannot. Two keys may share a
/// stripe, which only means they sometimes wait for each other, never that one key runs twice at
/// once. Deadlock-free as long as a caller holds one stripe at a time.
/// </summary>
public sealed class StripedLocks
{
    private readonly SemaphoreSlim[] _stripes;

    public StripedLocks(int stripes = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stripes);
        _stripes = new SemaphoreSlim[stripes];
        for (var i = 0; i < stripes; i++) _stripes[i] = new SemaphoreSlim(1, 1);
    }

    /// <summary>How many locks exist; constant whatever the number of keys used.</summary>
    public int Count => _stripes.Length;

    public async Task<Releaser> AcquireAsync(long key, CancellationToken cancellationToken = default)
    {
        var stripe = _stripes[(int)((ulong)key.GetHashCode() % (ulong)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
