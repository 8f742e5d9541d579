using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Core.Text;
using Bot.Data.Agent;
using Bot.Data.Stores;
using Bot.Data.Work;

namespace Bot.Host.Agent;

/// <summary>
/// Answers a person's "Stuck?" click: asks the model the stuck-check prompt about the step,
/// stores the reflection (later prompts of the run include it) and posts it in the thread.
/// </summary>
public sealed class StuckCheckHandler(
    AgentContextFactory contexts,
    AgentStore store,
    ModelCallStore modelCalls,
    IStuckChecker checker,
    IRunAnnouncer? announcer = null) : WorkHandler<StuckCheckWork>
{
    protected override async Task<Result> HandleAsync(StuckCheckWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var created = await contexts.CreateAsync(work.RunId, work.StepNumber, cancellationToken);
        if (created.Error is { } error) return error;
        StuckCheck check;
        if (await modelCalls.FindAsync(work.IdempotencyKey, cancellationToken) is { } stored)
        {
            check = stored.Read<StuckCheck>()!;
        }
        else
        {
            var checkResult = await checker.CheckAsync(created.Value.Context, cancellationToken);
            if (checkResult.Error is { } checkError) return checkError with { IsTransient = true };
            check = checkResult.Value;
            await modelCalls.RecordAsync(work.RunId, work.StepNumber, "stuck_check", work.IdempotencyKey, [check.Usage], check, cancellationToken);
        }
        // After the model call is stored, so a retry records the same reflection (once) instead of asking again.
        if (check.IsStuck)
        {
            await store.AddInterventionAsync(work.RunId, work.StepNumber, AgentStore.Reflection, check.Reflection,
                ActorId.Model(created.Value.Run.Model), cancellationToken);
        }

        if (announcer is not null)
        {
            var verdict = check.IsStuck
                ? "The model thinks it is **stuck**. Its reflection is now part of its context; a researcher can branch with `/run fork`."
                : "The model does not think it is stuck.";
            await announcer.AnnounceAsync(work.RunId, work.IdempotencyKey, $"**Stuck check (step {work.StepNumber})**: {verdict}\n> {Quote(check.Reflection)}", cancellationToken);
        }
        return Result.Ok();
    }

    private static string Quote(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return SafeText.Cut(SafeText.ForStorage(oneLine), 1500);
    }
}
