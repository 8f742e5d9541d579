namespace Bot.Discord.Gateway;

/// <summary>What survives between connections: the session to resume and the last sequence seen.</summary>
internal sealed class GatewaySessionState
{
    private readonly object _gate = new();

    public string? SessionId { get; private set; }
    public string? ResumeUrl { get; private set; }
    public int Sequence { get; private set; }

    public bool CanResume
    {
        get
        {
            lock (_gate)
            {
                return SessionId is not null && ResumeUrl is not null;
            }
        }
    }

    public void OnReady(string sessionId, string resumeUrl, int sequence)
    {
        lock (_gate)
        {
            SessionId = sessionId;
            ResumeUrl = resumeUrl;
            Sequence = sequence;
        }
    }

    /// <summary>True when the dispatch is new; false for a replayed one we already handed on.</summary>
    public bool Advance(int sequence)
    {
        lock (_gate)
        {
            if (sequence <= Sequence)
            {
                return false;
            }
            Sequence = sequence;
            return true;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            SessionId = null;
            ResumeUrl = null;
            Sequence = 0;
        }
    }
}
