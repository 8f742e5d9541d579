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
/// Asks the model judge to score every candidate of a step (contractor-written ones included).
/// The verdict is stored before the engine hears of it; in voting modes the engine keeps the
/// pick hidden until the step is decided.
/// </summary>
public sealed class JudgeCandidatesHandler(
    AgentContextFactory contexts,
    ModelCallStore modelCalls,
    RunReader reader,
    ICandidateJudge judge,
    RunCommandProcessor processor) : WorkHandler<JudgeCandidatesWork>
{
    protected override async Task<Result> HandleAsync(JudgeCandidatesWork work, WorkContext context, CancellationToken cancellationToken)
    {
        JudgeVerdict verdict;
        if (await modelCalls.FindAsync(work.IdempotencyKey, cancellationToken) is { } stored)
        {
            verdict = stored.Read<JudgeVerdict>()!;
        }
        else
        {
            var step = await reader.GetStepAsync(work.RunId, work.StepNumber, cancellationToken);
            if (step is null) return DataErrors.UnknownStep(work.RunId, work.StepNumber);
            if (step.Decision is not null) return Result.Ok();   // decided meanwhile: the verdict can change nothing

            var created = await contexts.CreateAsync(work.RunId, work.StepNumber, cancellationToken);
            if (created.Error is { } error) return error;
            var judged = await judge.JudgeAsync(created.Value.Context, step.Candidates, cancellationToken);
            if (judged.Error is { } judgeError) return judgeError with { IsTransient = true };
            verdict = Storable(judged.Value.Verdict);
            await modelCalls.RecordAsync(work.RunId, work.StepNumber, "judge", work.IdempotencyKey, [judged.Value.Usage], verdict, cancellationToken);
        }

        var command = new JudgeScored(ActorId.Model(verdict.Model), work.StepNumber, verdict);
        return CommandSettling.Settle(await processor.HandleAsync(work.RunId, command, null, cancellationToken));
    }

    // The reasons are model text: cleaned before the engine sees them, so memory and the stored step agree.
    private static JudgeVerdict Storable(JudgeVerdict verdict) =>
        verdict with { Scores = [.. verdict.Scores.Select(s => s with { Reason = SafeText.ForStorage(s.Reason) })] };
}
