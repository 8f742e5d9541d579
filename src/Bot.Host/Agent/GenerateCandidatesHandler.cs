using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Core.Text;
using Bot.Data.Agent;
using Bot.Data.Stores;
using Bot.Data.Work;
using Bot.Scaffold.Agent;
using Bot.Scaffold.Options;
using Microsoft.Extensions.Options;

namespace Bot.Host.Agent;

/// <summary>
/// Samples the step's candidates and hands them to the engine. The samples are stored under the
/// work item's key first, so a retry after a crash re-sends the same candidates instead of
/// paying for (and getting different) new ones.
/// </summary>
public sealed partial class GenerateCandidatesHandler(
    AgentContextFactory contexts,
    AgentStore store,
    ModelCallStore modelCalls,
    WorkspacePreparer workspaces,
    ICandidateGenerator generator,
    IStuckChecker stuckChecker,
    RunCommandProcessor processor,
    IOptions<ScaffoldOptions> options,
    ILogger<GenerateCandidatesHandler> logger,
    IRunAnnouncer? announcer = null) : WorkHandler<GenerateCandidatesWork>
{
    protected override async Task<Result> HandleAsync(GenerateCandidatesWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var created = await contexts.CreateAsync(work.RunId, work.StepNumber, cancellationToken);
        if (created.Error is { } error) return error;
        var (run, agentContext, task) = created.Value;

        IReadOnlyList<CandidateSample> samples;
        if (await modelCalls.FindAsync(work.IdempotencyKey, cancellationToken) is { } stored)
        {
            samples = stored.Read<List<CandidateSample>>() ?? [];
        }
        else
        {
            if (work.StepNumber == 1)
            {
                var prepared = await workspaces.PrepareAsync(run, task, cancellationToken);
                // A workspace that cannot be copied (too large, too deep) will not become copyable on
                // retry: the run stops with the reason, and a sub-run's parent hears of it as its failure.
                if (prepared.Error is { IsTransient: false } prepError)
                {
                    return CommandSettling.Settle(await processor.HandleAsync(work.RunId,
                        new AbortRun(ActorId.System, $"The workspace could not be prepared: {prepError.Message}"), $"prepare-abort:{work.IdempotencyKey}", cancellationToken));
                }
                if (prepared.Error is { } transient) return transient;
            }
            var (checkedContext, stuck) = await WithStuckCheckAsync(work, agentContext, cancellationToken);
            agentContext = checkedContext;
            if (stuck && await RestartIfAutonomousAsync(work, run, cancellationToken) is { } restart) return restart;
            samples = await generator.GenerateAsync(agentContext, work.Count, cancellationToken);
            await modelCalls.RecordAsync(work.RunId, work.StepNumber, "candidates", work.IdempotencyKey,
                samples.Select(s => s.Usage).ToList(), samples, cancellationToken);
        }

        var actor = ActorId.Model(run.Model);
        var usable = samples.Where(s => s.Candidate is not null && Usable(s.Candidate)).Select(s => Storable(s.Candidate!)).ToList();
        RunCommand command = usable.Count > 0
            ? new CandidatesGenerated(actor, work.StepNumber, usable)
            : new GenerationFailed(actor, work.StepNumber, FailureSummary(samples));
        LogGenerated(logger, work.RunId, work.StepNumber, usable.Count, samples.Count);
        return CommandSettling.Settle(await processor.HandleAsync(work.RunId, command, null, cancellationToken));
    }

    /// <summary>
    /// When a stuck trigger fires, asks the model "Am I confused?" once for the step and adds its
    /// reflection to the context (and to the run's interventions, so later steps see it too).
    /// </summary>
    private async Task<(AgentContext Context, bool Stuck)> WithStuckCheckAsync(GenerateCandidatesWork work, AgentContext agentContext, CancellationToken cancellationToken)
    {
        var trigger = StuckTriggers.Evaluate(agentContext.History, options.Value.StuckCheck);
        if (trigger == StuckTrigger.None) return (agentContext, false);

        var key = $"stuck:{work.RunId}:{work.StepNumber}";
        StuckCheck check;
        if (await modelCalls.FindAsync(key, cancellationToken) is { } stored)
        {
            check = stored.Read<StuckCheck>()!;
        }
        else
        {
            var checkResult = await stuckChecker.CheckAsync(agentContext, cancellationToken);
            if (checkResult.Error is { } error)
            {
                LogStuckCheckFailed(logger, work.RunId, work.StepNumber, error.Message);
                return (agentContext, false);
            }
            check = checkResult.Value;
            await modelCalls.RecordAsync(work.RunId, work.StepNumber, "stuck_check", key, [check.Usage], check, cancellationToken);
            LogStuckCheck(logger, work.RunId, work.StepNumber, trigger.ToString(), check.IsStuck);
        }
        if (!check.IsStuck) return (agentContext, false);

        // Recorded once even when this item is retried (reflections are de-duplicated).
        var reflection = SafeText.ForStorage(check.Reflection.Trim());
        await store.AddInterventionAsync(work.RunId, work.StepNumber, AgentStore.Reflection, reflection, ActorId.Model(agentContext.Model), cancellationToken);
        var reflections = agentContext.Reflections.Contains(reflection) ? agentContext.Reflections : [.. agentContext.Reflections, reflection];
        return (agentContext with { Reflections = reflections }, true);
    }

    /// <summary>
    /// In autonomous mode a stuck run restarts: a fork from the step after its last good one, with
    /// the reflection in context, and this run is aborted. In voting modes people decide (they see
    /// the reflection, and can fork with /run fork). Null when no restart happened.
    /// </summary>
    private async Task<Result?> RestartIfAutonomousAsync(GenerateCandidatesWork work, AgentRun run, CancellationToken cancellationToken)
    {
        var state = await processor.LoadStateAsync(work.RunId, cancellationToken);
        if (state.Error is { } error) return error;
        // A sub-run's parent waits for that very run; restarting it would orphan the parent's step.
        if (state.Value.Settings.Mode != RunMode.Auto || run.ParentRunId is not null) return null;
        if (await store.FindRestartPointAsync(work.RunId, work.StepNumber, cancellationToken) is not { } forkPoint) return null;

        var actor = ActorId.Model(run.Model);
        var fork = await processor.StartRunAsync(new StartRunRequest(run.TaskName, run.TaskText, run.Model, state.Value.Settings, actor,
            Branch: new BranchOf(forkPoint, BranchKind.Restart), InteractionId: $"restart:{work.RunId}:{work.StepNumber}"), cancellationToken);
        if (fork.Error is { } forkError) return forkError;
        var forkId = fork.Value.State.RunId;
        LogRestarted(logger, work.RunId, work.StepNumber, forkId);

        var aborted = await processor.HandleAsync(work.RunId, new AbortRun(actor, $"Stuck: restarted as run {forkId}."),
            $"restart-abort:{work.RunId}:{work.StepNumber}", cancellationToken);
        if (announcer is not null)
        {
            await announcer.AnnounceAsync(work.RunId, $"restart:{work.RunId}:{work.StepNumber}",
                $"**Restarted.** The model judged itself stuck; the run continues as run {forkId}, branched before the last failing steps.", cancellationToken);
        }
        return CommandSettling.Settle(aborted);
    }

    // The engine refuses a whole batch for one bad candidate; drop the bad sample instead.
    private static bool Usable(NewCandidate candidate) =>
        !string.IsNullOrWhiteSpace(candidate.Text) && System.Text.Encoding.UTF8.GetByteCount(candidate.Text) <= Limits.MaxCandidateBytes;

    // Model text is cleaned before the engine sees it, so the state in memory is the state stored.
    private static NewCandidate Storable(NewCandidate candidate) =>
        candidate with { Text = SafeText.ForStorage(candidate.Text), Rationale = SafeText.ForStorageOrNull(candidate.Rationale) };

    private static string FailureSummary(IReadOnlyList<CandidateSample> samples)
    {
        var reasons = samples.Select(s => s.FailureReason ?? "unusable candidate (empty or over 16 KB)").Distinct().ToList();
        var text = reasons.Count == 0 ? "The model returned no samples." : string.Join("; ", reasons);
        return SafeText.ForStorage(SafeText.Cut(text, 1000));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step}: {Usable} usable candidates from {Samples} samples")]
    private static partial void LogGenerated(ILogger logger, RunId runId, int step, int usable, int samples);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step}: stuck check ({Trigger}) says stuck={Stuck}")]
    private static partial void LogStuckCheck(ILogger logger, RunId runId, int step, string trigger, bool stuck);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step}: stuck in autonomous mode, restarted as run {ForkId}")]
    private static partial void LogRestarted(ILogger logger, RunId runId, int step, RunId forkId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: stuck check failed: {Reason}")]
    private static partial void LogStuckCheckFailed(ILogger logger, RunId runId, int step, string reason);
}
