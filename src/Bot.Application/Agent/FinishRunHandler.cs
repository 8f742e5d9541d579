using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;

namespace Bot.Application.Agent;

/// <summary>
/// Ends a run: scores a completed top-level run's answer against its task's scoring rule, stores
/// the score, and publishes the outcome (<see cref="RunEnded"/>) for the run's thread.
/// </summary>
public sealed class FinishRunHandler(
    IRunDirectory runs,
    IAgentRuns agentRuns,
    IAgentTasks tasks,
    IRunWorkspaces workspaces,
    IRunNotices notices) : WorkHandler<FinishRunWork>
{
    protected override async Task<Result> HandleAsync(FinishRunWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var found = await runs.GetRunAsync(work.RunId, cancellationToken);
        if (found.Error is { } unknown) return unknown;
        var run = found.Value;

        TaskScore? score = null;
        if (work.Outcome == RunStatus.Completed && run.ParentRunId is null)
        {
            // A METR family scores in the run's workspace, which another process may have left newer.
            var current = await workspaces.EnsureCurrentAsync(work.RunId, int.MaxValue, cancellationToken);
            if (current.Error is { } restoreError) return restoreError with { IsTransient = true };
            var scored = await tasks.ScoreAsync(work.RunId, run.TaskName, run.Answer ?? "", cancellationToken);
            if (scored.Error is { } error) return error with { IsTransient = true };
            score = scored.Value;
            if (score is not null) await agentRuns.SaveScoreAsync(work.RunId, score, cancellationToken);
        }

        return await notices.PublishAsync(new RunEnded(work.RunId, work.Outcome, work.Reason, run.Answer, score), work.IdempotencyKey, cancellationToken);
    }
}
