namespace Bot.Testing.FakeDiscord;

/// <summary>Snowflakes with a real timestamp, so clients can compute an interaction's age from its id.</summary>
public sealed class Snowflakes
{
    private const long DiscordEpoch = 1420070400000;
    private long _last;

    public ulong Next()
    {
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - DiscordEpoch;
        var candidate = ms << 22;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(candidate, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }
}
