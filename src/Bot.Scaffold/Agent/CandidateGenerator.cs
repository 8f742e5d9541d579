using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Scaffold.Models;
using Bot.Scaffold.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Bot.Scaffold.Agent;

/// <summary>
/// Samples a step's candidates with N parallel requests (SK returns only the first of <c>n</c>
/// choices), reads each reply's tool call (or the plain-text fallback) without invoking it, turns
/// unusable replies into visible failed samples, and merges identical candidates.
/// </summary>
public sealed partial class CandidateGenerator(ModelClient models, PromptLibrary prompts, PromptContext promptContext, ILogger<CandidateGenerator> logger)
    : ICandidateGenerator
{
    public async Task<IReadOnlyList<CandidateSample>> GenerateAsync(AgentContext context, int count, CancellationToken cancellationToken = default)
    {
        count = Math.Clamp(count, 1, Limits.MaxModelCandidates);
        var variables = promptContext.Variables(context);
        var system = await prompts.RenderAsync(PromptNames.System, variables, cancellationToken).ConfigureAwait(false);
        var step = await prompts.RenderAsync(PromptNames.Step, variables, cancellationToken).ConfigureAwait(false);

        var samples = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => SampleAsync(context.Model, system, step, cancellationToken))).ConfigureAwait(false);
        var merged = Merge(samples);
        LogGenerated(context.RunId, context.StepNumber, merged.Count(s => s.Candidate is not null), merged.Count(s => s.Candidate is null), count);
        return merged;
    }

    private async Task<CandidateSample> SampleAsync(string profile, string system, string step, CancellationToken cancellationToken)
    {
        // A fresh history per sample: ChatHistory is mutable and the connector may append to it.
        var history = new ChatHistory(system);
        history.AddUserMessage(step);
        var outcome = await models.CompleteAsync(profile, history, models.CreateSettings(profile, AgentTools.Functions), cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            return new CandidateSample(null, $"{failure.Code}: {failure.Message}", failure.Usage);
        }

        var reply = outcome.Reply!;
        var (action, reason) = CandidateParser.Parse(reply.Message);
        if (action is null)
        {
            return new CandidateSample(null, reason, reply.Usage);
        }
        return new CandidateSample(new NewCandidate(action.Kind, action.Text, action.Rationale, CandidateSource.Model, ActorId.Model(profile)), null, reply.Usage);
    }

    /// <summary>Identical proposals (same kind, same text up to surrounding whitespace) become one, keeping the first rationale.</summary>
    public static IReadOnlyList<CandidateSample> Merge(IEnumerable<CandidateSample> samples)
    {
        var result = new List<CandidateSample>();
        var index = new Dictionary<(CandidateKind, string), int>();
        foreach (var sample in samples)
        {
            if (sample.Candidate is not { } c)
            {
                result.Add(sample);
                continue;
            }
            var key = (c.Kind, c.Text.Trim());
            if (index.TryGetValue(key, out var at))
            {
                var kept = result[at];
                result[at] = kept with { Usage = Add(kept.Usage, sample.Usage), Samples = kept.Samples + sample.Samples };
                continue;
            }
            index[key] = result.Count;
            result.Add(sample);
        }
        // Candidates first (in sampling order), then failures, so numbering is stable and failures stay visible.
        return [.. result.Where(s => s.Candidate is not null), .. result.Where(s => s.Candidate is null)];
    }

    private static ModelUsage Add(ModelUsage a, ModelUsage b) =>
        a with { PromptTokens = a.PromptTokens + b.PromptTokens, CompletionTokens = a.CompletionTokens + b.CompletionTokens, Latency = a.Latency > b.Latency ? a.Latency : b.Latency };

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step}: {Candidates} candidate(s), {Failed} failed sample(s) from {Requested} request(s)")]
    private partial void LogGenerated(RunId runId, int step, int candidates, int failed, int requested);
}
