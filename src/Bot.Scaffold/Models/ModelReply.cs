using Bot.Core.Ports;
using Microsoft.SemanticKernel;

namespace Bot.Scaffold.Models;

/// <summary>The assistant message of one successful call plus its token counts and latency.</summary>
public sealed record ModelReply(ChatMessageContent Message, ModelUsage Usage);

/// <summary>A failed call: why, and what it cost before failing (latency of all attempts).</summary>
public sealed record ModelFailure(string Code, string Message, bool IsTransient, ModelUsage Usage);

/// <summary>Either a reply or a failure; both carry usage so every call can be accounted for.</summary>
public sealed record ModelOutcome(ModelReply? Reply, ModelFailure? Failure)
{
    public ModelUsage Usage => Reply?.Usage ?? Failure!.Usage;

    public static implicit operator ModelOutcome(ModelReply reply) => new(reply, null);
    public static implicit operator ModelOutcome(ModelFailure failure) => new(null, failure);
}
