using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Discord.Api;
using Bot.Discord.Bot.Rendering;
using Bot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bot.Core.Text;

namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// Posts and edits run threads and step messages through REST. Message creation carries a nonce
/// derived from the database id with enforce_nonce, so a retry after a crash returns the message
/// already created instead of posting a second one; its id is stored before anyone relies on it.
/// </summary>
public sealed partial class StepPresenter(
    IStepReader steps,
    IRunDirectory directory,
    IChatRefs links,
    ITaskCatalogView catalog,
    IRunCommands commands,
    IClusterLocks clusterLocks,
    DiscordMessagesApi messages,
    DiscordThreadsApi threads,
    IOptions<DiscordOptions> options,
    TimeProvider time,
    ILogger<StepPresenter> logger,
    IOptions<GoldOptions> gold,
    ICalibration? calibration = null,
    IWebPageLinks? webPages = null) : IStepPresenter
{
    public const string NoThreadCode = "run_thread_missing";

    /// <summary>The actor of deadline moves made when a step is first shown.</summary>
    public static readonly ActorId ShownActor = new("system:shown");

    // One thread per run and one post per step, across every process on the database: a PostgreSQL
    // advisory lock (IClusterLocks) around the read-post-store. The in-process stripes come first so
    // that concurrent renders in one process queue in memory instead of each holding a pooled
    // connection while it waits on the database lock. Behind both, the nonce and the
    // first-stored-id-wins links still cover a crash between posting and storing. Fixed-size, so memory stays flat.
    private readonly StripedLocks _threadLocks = new();
    private readonly StripedLocks _stepLocks = new();

    /// <summary>Locks held by the presenter, whatever the number of runs and steps rendered (for tests).</summary>
    public int LockCount => _threadLocks.Count + _stepLocks.Count;

    public async Task<Result> RenderStepAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default)
    {
        var rendered = await RenderLockedAsync(runId, stepNumber, cancellationToken).ConfigureAwait(false);
        if (rendered.Error?.Code != NoThreadYetCode) return rendered;
        // A run without a thread yet: the directory opens a sub-run's or fork's under the run's own
        // locks, never inside a step's, and the step is rendered again, its read now naming it.
        var thread = await ThreadOfAsync(runId, cancellationToken).ConfigureAwait(false);
        return thread.IsSuccess ? await RenderLockedAsync(runId, stepNumber, cancellationToken).ConfigureAwait(false) : thread.Error!;
    }

    private const string NoThreadYetCode = "run_thread_not_read";

    // Locked by run and number rather than by step id, so that the step is read once, under the
    // lock: concurrent renders (of any process) end with the newest revision and only the first
    // posts; the others see its stored id and edit. The run id in the low bits spreads runs over
    // the in-process stripes; two steps folding to one key only wait for each other.
    private static long StepLockKey(RunId runId, int stepNumber) => ((long)stepNumber << 40) ^ runId.Value;

    private async Task<Result> RenderLockedAsync(RunId runId, int stepNumber, CancellationToken cancellationToken)
    {
        var key = StepLockKey(runId, stepNumber);
        using (await _stepLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false))
        await using (await clusterLocks.AcquireAsync(ClusterLock.StepMessage, key, cancellationToken).ConfigureAwait(false))
        {
            var loaded = await steps.GetStepAsync(runId, stepNumber, cancellationToken).ConfigureAwait(false);
            if (!loaded.IsSuccess) return loaded.Error!;
            var step = loaded.Value;
            // A run's thread never changes once it has one, and the step's read names it.
            if (DiscordRefs.Snowflake(step.Thread) is not { } thread)
                return new Error(NoThreadYetCode, $"Run {runId} has no thread yet.", IsTransient: true);
            // Before the step's first message, the previous step's result, so the thread reads in order;
            // later revisions must not repeat it. A retry after a crash between the two posts is caught
            // by the result's nonce.
            if (stepNumber > 1 && step.Message is null)
            {
                var observed = await PostObservationAsync(thread, runId, stepNumber - 1, cancellationToken).ConfigureAwait(false);
                if (observed.Error is { } error) return error;
            }
            var rendered = WebPageButton.Add(StepRenderer.Render(step, time.GetUtcNow()), webPages?.StepPage(runId, stepNumber));
            if (DiscordRefs.Snowflake(step.Message) is { } existing)
            {
                var edited = await messages.EditMessageAsync(thread, existing, rendered.ToEdit(), cancellationToken: cancellationToken).ConfigureAwait(false);
                return edited.IsSuccess ? Result.Ok() : edited.Error!;
            }
            var created = await messages.CreateMessageAsync(thread, rendered.Message with
            {
                Nonce = Nonce("s", step.StepId.Value),
                EnforceNonce = true,
            }, rendered.Files, cancellationToken).ConfigureAwait(false);
            if (!created.IsSuccess) return created.Error!;
            // Before the id is stored (which makes the step eligible for the deadline sweep).
            var moved = await RestartDeadlineIfShownLateAsync(step, cancellationToken).ConfigureAwait(false);
            if (!moved.IsSuccess) return moved.Error!;
            var stored = DiscordRefs.Snowflake(await links.SetStepMessageAsync(step.StepId, DiscordRefs.Of(created.Value.Id), cancellationToken).ConfigureAwait(false))
                ?? throw new InvalidOperationException($"Step {step.StepId} holds a message reference this adapter did not write.");
            LogStepPosted(runId, stepNumber, stored);
            await PlanCalibrationAsync(cancellationToken).ConfigureAwait(false);
            if (stored != created.Value.Id)
            {
                // Another process stored its message first: bring that one up to date instead.
                var edited = await messages.EditMessageAsync(thread, stored, rendered.ToEdit(), cancellationToken: cancellationToken).ConfigureAwait(false);
                return edited.IsSuccess ? Result.Ok() : edited.Error!;
            }
            return Result.Ok();
        }
    }

    /// <summary>
    /// A deadline counts from when people could see the step. When the message is first posted
    /// with less than half of the voting window left (Discord was down, or the bot was), the
    /// deadline becomes a full window from now, through the engine like any other deadline change
    /// (keyed by the step, so a retry moves it once).
    /// </summary>
    private async Task<Result> RestartDeadlineIfShownLateAsync(StepView rendered, CancellationToken cancellationToken)
    {
        // Read again: the post may have taken many retries, and the deadline may have moved meanwhile.
        var fresh = await steps.GetStepAsync(rendered.StepId, cancellationToken).ConfigureAwait(false);
        if (!fresh.IsSuccess) return fresh.Error!;
        var step = fresh.Value;
        if (step.RunStatus != RunStatus.Voting || !step.IsCurrent || step.Decided) return Result.Ok();
        if (step.Deadline is not { } deadline || step.Policy.VotingWindow is not { } window) return Result.Ok();
        var now = time.GetUtcNow();
        if (deadline - now >= window / 2) return Result.Ok();
        var handled = await commands.HandleAsync(step.RunId, new SetDeadline(ShownActor, step.Number, now + window),
            string.Create(CultureInfo.InvariantCulture, $"shown:{step.StepId.Value}"), cancellationToken).ConfigureAwait(false);
        if (handled.IsSuccess)
        {
            LogDeadlineRestarted(step.RunId, step.Number, now + window);
            return Result.Ok();
        }
        // Only a failure to store is worth a retry; an engine refusal means the step moved on.
        return handled.Error!.IsTransient ? handled.Error : Result.Ok();
    }

    /// <summary>
    /// Each live step posted may make a calibration post due. A refused plan is logged and not
    /// retried (a throw retries the render item, which then only edits): planning counts every posted
    /// step, so the next live step plans what this one missed.
    /// </summary>
    private async Task PlanCalibrationAsync(CancellationToken cancellationToken)
    {
        if (calibration is null || gold.Value.CalibrationEvery == 0) return;
        var planned = await calibration.PlanAfterLiveStepAsync(gold.Value.CalibrationEvery, cancellationToken).ConfigureAwait(false);
        if (!planned.IsSuccess) LogCalibrationNotPlanned(planned.Error!.ToString());
    }

    public async Task<Result> PostObservationAsync(RunId runId, int stepNumber, CancellationToken cancellationToken = default)
    {
        var thread = await ThreadOfAsync(runId, cancellationToken).ConfigureAwait(false);
        return thread.IsSuccess ? await PostObservationAsync(thread.Value, runId, stepNumber, cancellationToken).ConfigureAwait(false) : thread.Error!;
    }

    /// <summary>The result posted in a thread the caller has already found (a render, from the step it read).</summary>
    private async Task<Result> PostObservationAsync(ulong thread, RunId runId, int stepNumber, CancellationToken cancellationToken)
    {
        var loaded = await steps.GetStepAsync(runId, stepNumber, cancellationToken).ConfigureAwait(false);
        if (!loaded.IsSuccess) return loaded.Error!;
        if (loaded.Value.Observation is not { } observation) return Result.Ok();
        var files = new List<FileUpload>();
        var header = string.Create(CultureInfo.InvariantCulture, $"**Step {stepNumber} result**{StepRenderer.ObservationMeta(observation)}\n");
        var shown = observation.Text;
        if (shown.Length > 1700)
        {
            files.Add(StepRenderer.ObservationFile(stepNumber, observation));
            shown = SafeText.Prefix(shown, 1700);
        }
        var message = new MessageCreate
        {
            Content = header + Markdown.CodeBlock(shown, 1900 - header.Length) + (files.Count > 0 ? "\nFull output attached." : ""),
            AllowedMentions = AllowedMentions.None,
            Attachments = files.Count == 0 ? null : [new AttachmentReference(0, files[0].FileName, files[0].Description)],
            Nonce = Nonce("o", loaded.Value.StepId.Value),
            EnforceNonce = true,
        };
        var posted = await messages.CreateMessageAsync(thread, message, files, cancellationToken).ConfigureAwait(false);
        return posted.IsSuccess ? Result.Ok() : posted.Error!;
    }

    public async Task<Result> PostNoticeAsync(RunId runId, string idempotencyKey, string text, CancellationToken cancellationToken = default)
    {
        var thread = await ThreadOfAsync(runId, cancellationToken).ConfigureAwait(false);
        if (!thread.IsSuccess) return thread.Error!;
        var posted = await messages.CreateMessageAsync(thread.Value, new MessageCreate
        {
            Content = Markdown.Truncate(text, 2000),
            AllowedMentions = AllowedMentions.None,
            Nonce = NonceOf(idempotencyKey),
            EnforceNonce = true,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return posted.IsSuccess ? Result.Ok() : posted.Error!;
    }

    public async Task<Result<ulong>> EnsureThreadAsync(RunId runId, CancellationToken cancellationToken = default)
    {
        using (await _threadLocks.AcquireAsync(runId.Value, cancellationToken).ConfigureAwait(false))
        await using (await clusterLocks.AcquireAsync(ClusterLock.RunThread, runId.Value, cancellationToken).ConfigureAwait(false))
        {
            var found = await directory.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            if (!found.IsSuccess) return found.Error!;
            var run = found.Value;
            if (DiscordRefs.Snowflake(run.Thread) is { } existing) return existing;

            var name = Markdown.Plain(string.Create(CultureInfo.InvariantCulture,
                $"Run {run.RunId}{(RunRenderer.Lineage(run) is { } kind ? $" ({kind.ToLowerInvariant()})" : "")} · {run.TaskName}"), 100);
            var opened = await threads.StartThreadAsync(options.Value.RunsChannelId, new StartThread(name, AutoArchiveDuration: 10080), cancellationToken).ConfigureAwait(false);
            if (!opened.IsSuccess) return opened.Error!;
            var thread = DiscordRefs.Snowflake(await links.SetThreadAsync(runId, DiscordRefs.Of(opened.Value.Id), cancellationToken).ConfigureAwait(false))
                ?? throw new InvalidOperationException($"Run {runId} holds a thread reference this adapter did not write.");
            LogThreadOpened(runId, thread);

            // The run keeps the instructions it started with; the catalog only adds the title.
            var title = (await catalog.FindAsync(run.TaskName, cancellationToken).ConfigureAwait(false))?.Title ?? run.TaskName;
            var card = WebPageButton.Add(RunRenderer.TaskCard(run, new TaskInfo(run.TaskName, title, run.TaskText), Actors.DiscordUserId(run.CreatedBy)), webPages?.RunPage(runId));
            var posted = await messages.CreateMessageAsync(thread, card.Message with { Nonce = Nonce("c", runId.Value), EnforceNonce = true }, card.Files, cancellationToken).ConfigureAwait(false);
            if (!posted.IsSuccess) LogPostFailed(runId, posted.Error!.ToString());
            if ((run.ParentRunId ?? run.BranchedFromRun) is { } originId) await LinkOriginAsync(run, originId, thread, cancellationToken).ConfigureAwait(false);
            return thread;
        }
    }

    /// <summary>Links both ways: a line in the parent's (or origin's) thread pointing here, and one here pointing back.</summary>
    private async Task LinkOriginAsync(RunSummary run, RunId parentId, ulong thread, CancellationToken cancellationToken)
    {
        var parent = await directory.GetRunAsync(parentId, cancellationToken).ConfigureAwait(false);
        if (!parent.IsSuccess || DiscordRefs.Snowflake(parent.Value.Thread) is not { } parentThread) return;
        var kind = RunRenderer.Lineage(run) ?? "Sub-run";
        var back = await messages.CreateMessageAsync(thread, new MessageCreate
        {
            Content = $"{kind} of run {parentId}: {Markdown.Channel(parentThread)}",
            AllowedMentions = AllowedMentions.None,
            Nonce = Nonce("b", run.RunId.Value),
            EnforceNonce = true,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!back.IsSuccess) LogPostFailed(run.RunId, back.Error!.ToString());
        var forward = await messages.CreateMessageAsync(parentThread, new MessageCreate
        {
            Content = $"{kind} started: run {run.RunId} in {Markdown.Channel(thread)}",
            AllowedMentions = AllowedMentions.None,
            Nonce = Nonce("f", run.RunId.Value),
            EnforceNonce = true,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!forward.IsSuccess) LogPostFailed(parentId, forward.Error!.ToString());
        // Runs under this run's thread locks: safe because the parent already has its thread, so the
        // render never asks for a thread lock itself (neither lock is re-entrant across connections).
        if (parent.Value.CurrentStep is { } step) await RenderStepAsync(parentId, step, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Result<ulong>> ThreadOfAsync(RunId runId, CancellationToken cancellationToken)
    {
        var found = await directory.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess) return found.Error!;
        if (DiscordRefs.Snowflake(found.Value.Thread) is { } thread) return thread;
        // Sub-runs and forks get their thread here; a new top-level run gets it from /task start,
        // unless that never happened (a crash in between), which a minute's wait tells apart.
        if (RunRenderer.Lineage(found.Value) is not null || time.GetUtcNow() - found.Value.CreatedAt > TimeSpan.FromMinutes(1))
            return await EnsureThreadAsync(runId, cancellationToken).ConfigureAwait(false);
        return new Error(NoThreadCode, $"Run {runId} has no thread yet; /task start is opening it.", IsTransient: true);
    }

    // Discord nonces are at most 25 characters.
    private static string Nonce(string prefix, long id) => prefix + id.ToString(CultureInfo.InvariantCulture);

    private static string NonceOf(string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return "n" + Convert.ToHexString(hash, 0, 12);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step} posted as message {MessageId}")]
    private partial void LogStepPosted(RunId runId, int step, ulong messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step} was first shown late; its deadline now is {Deadline}")]
    private partial void LogDeadlineRestarted(RunId runId, int step, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} opened thread {ThreadId}")]
    private partial void LogThreadOpened(RunId runId, ulong threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A calibration post could not be planned: {Error}")]
    private partial void LogCalibrationNotPlanned(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Posting in run {RunId}'s thread failed: {Error}")]
    private partial void LogPostFailed(RunId runId, string error);
}
