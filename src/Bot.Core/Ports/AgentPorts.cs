using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Ports;

/// <summary>
/// One past step as the agent sees it: the action taken and what came back. <paramref name="ExitCode"/>
/// is set for bash actions; stuck triggers count consecutive non-zero exits from it.
/// </summary>
public sealed record HistoryEntry(int StepNumber, CandidateKind Kind, string Action, string Observation, int? ExitCode = null);

/// <summary>
/// Everything the scaffold needs to prompt the model for a step: the task, the history, the last
/// observation, and researcher nudges or stuck-check reflections injected into context.
/// </summary>
public sealed record AgentContext(
    RunId RunId,
    int StepNumber,
    string Model,
    string TaskTitle,
    string TaskInstructions,
    IReadOnlyList<HistoryEntry> History,
    IReadOnlyList<string> Nudges,
    IReadOnlyList<string> Reflections);

/// <summary>
/// One model sample: a candidate, or why the sample failed (kept visible, not dropped). Identical
/// candidates from several samples are merged into one: <paramref name="Samples"/> says how many
/// samples proposed it and <paramref name="Usage"/> sums their tokens (latency is the longest).
/// </summary>
public sealed record CandidateSample(NewCandidate? Candidate, string? FailureReason, ModelUsage Usage, int Samples = 1);

/// <summary>Token counts and latency of one model call, stored with the step.</summary>
public sealed record ModelUsage(string Model, int PromptTokens, int CompletionTokens, TimeSpan Latency);

/// <summary>Samples candidate next actions from the model (several parallel requests).</summary>
public interface ICandidateGenerator
{
    Task<IReadOnlyList<CandidateSample>> GenerateAsync(AgentContext context, int count, CancellationToken cancellationToken = default);
}

/// <summary>The judge's verdict and what the call cost (stored with the step like every model call).</summary>
public sealed record JudgeOutcome(JudgeVerdict Verdict, ModelUsage Usage);

/// <summary>Asks the model to score every candidate of a step, contractor-written ones included.</summary>
public interface ICandidateJudge
{
    Task<Result<JudgeOutcome>> JudgeAsync(AgentContext context, IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken = default);
}

/// <summary>The model's answer to "Am I confused?".</summary>
public sealed record StuckCheck(bool IsStuck, string Reflection, ModelUsage Usage);

public interface IStuckChecker
{
    Task<Result<StuckCheck>> CheckAsync(AgentContext context, CancellationToken cancellationToken = default);
}

/// <summary>What a shell command did, stored in full; the model sees a truncated copy.</summary>
public sealed record ExecutionResult(
    string Stdout,
    string Stderr,
    int ExitCode,
    TimeSpan Duration,
    bool TimedOut,
    bool OutputTruncated);

/// <summary>Runs a bash action in the run's workspace (sandboxed by default).</summary>
public interface IActionExecutor
{
    Task<Result<ExecutionResult>> ExecuteAsync(RunId runId, string command, CancellationToken cancellationToken = default);
}
