using System.Collections.Concurrent;
using Bot.Core.Results;
using Bot.Host.Scheduling;

namespace Bot.Host.Tests.Scheduling;

/// <summary>Records what scheduled work posts, for tests that do not need the wire format.</summary>
public sealed class RecordingSender : IScheduledMessageSender
{
    private long _nextId = 1000;
    public ConcurrentQueue<(ulong ChannelId, ScheduledMessage Message)> Sent { get; } = new();
    public Func<Error?> FailWith { get; set; } = () => null;

    public Task<Result<ulong>> SendAsync(ulong channelId, ScheduledMessage message, CancellationToken cancellationToken = default)
    {
        if (FailWith() is { } error) return Task.FromResult(Result<ulong>.Fail(error));
        Sent.Enqueue((channelId, message));
        return Task.FromResult(Result<ulong>.Ok((ulong)Interlocked.Increment(ref _nextId)));
    }
}
