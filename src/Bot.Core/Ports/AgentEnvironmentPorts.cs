using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Ports;

/// <summary>Whether an answer passed its task's scoring rule, and what the scorer saw.</summary>
/// <param name="Value">A numeric score from 0 to 1 (a METR family's); null for pass/fail rules.</param>
/// <param name="Pending">The task could not score the answer (a family's score() returned None): a researcher must.</param>
public sealed record TaskScore(bool Passed, string Detail, double? Value = null, bool Pending = false);

/// <summary>A task as the agent loop uses it: the title for prompts.</summary>
public sealed record AgentTask(string Name, string Title);

/// <summary>The task catalog and scoring rules, as the agent loop needs them.</summary>
public interface IAgentTasks
{
    Task<AgentTask?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Scores <paramref name="answer"/> against the task's rule; null when the task is unknown or has no rule.</summary>
    Task<Result<TaskScore?>> ScoreAsync(RunId runId, string taskName, string answer, CancellationToken cancellationToken = default);
}

/// <summary>A delegated sub-task as the child run receives it.</summary>
public sealed record ChildTask(string Title, string Instructions);

/// <summary>Delegation to a sub-run: the tree limits and the child's task.</summary>
public interface IDelegation
{
    /// <summary>May a run at <paramref name="parentDepth"/> (top level = 0) that started <paramref name="childrenSoFar"/> children delegate once more?</summary>
    Result CanDelegate(int parentDepth, int childrenSoFar);

    Task<ChildTask> BuildChildTaskAsync(AgentContext parent, string delegatedTask, CancellationToken cancellationToken = default);
}

/// <summary>
/// Run workspaces and their per-step snapshots. Everything in a workspace was written by the model
/// under test: copies never follow links and are capped.
/// </summary>
public interface IRunWorkspaces
{
    /// <summary>Creates the run's (empty) workspace if it does not exist.</summary>
    void Ensure(RunId runId);

    /// <summary>
    /// Lays out the starting files of task <paramref name="taskName"/> in the run's workspace: the
    /// task file's files, or, for a METR family task, whatever the family's <c>start</c> writes (run
    /// in the sandbox). A task no longer in the catalog leaves the workspace empty.
    /// </summary>
    Task<Result> LayOutTaskAsync(RunId runId, string taskName, CancellationToken cancellationToken = default);

    /// <summary>Copies <paramref name="from"/>'s current files into <paramref name="to"/>'s workspace.</summary>
    Task<Result> CopyAsync(RunId from, RunId to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restores <paramref name="origin"/>'s latest complete snapshot before <paramref name="beforeStep"/>
    /// into <paramref name="target"/>'s workspace; an error says why not (none, or it failed).
    /// </summary>
    Task<Result> RestoreSnapshotAsync(RunId origin, int beforeStep, RunId target, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the run's workspace on this process's disk current before <paramref name="beforeStep"/>
    /// runs: when it is missing here, or older than the run's newest snapshot before that step (another
    /// process ran the steps in between), it is restored from that snapshot. Any worker can thus
    /// continue any run, given a snapshot folder all of them reach.
    /// </summary>
    Task<Result> EnsureCurrentAsync(RunId runId, int beforeStep, CancellationToken cancellationToken = default);

    /// <summary>Captures the workspace as it is after <paramref name="step"/> (0 = as prepared); a step already captured is not retaken.</summary>
    Task<Result> SnapshotAsync(RunId runId, int step, CancellationToken cancellationToken = default);

    /// <summary>An error when the workspace is over its disk quota.</summary>
    Result CheckQuota(RunId runId);
}
