using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;

namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// Shows a step in the run's thread: before the step's first message, the previous step's
/// result; then the step message itself (posted once, edited on later revisions).
/// </summary>
public sealed class RenderStepHandler(IStepPresenter presenter, IStepReader steps) : WorkHandler<RenderStepWork>
{
    protected override async Task<Result> HandleAsync(RenderStepWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var step = await steps.GetStepAsync(work.RunId, work.StepNumber, cancellationToken);
        if (step.Error is { } readError) return readError;
        // No revision check: a step has at most one render pending, and it shows the step as it is
        // now. A newer revision queues its own render only once this one is running.
        // Only before the step's first message: later revisions must not repeat the result.
        // (A retry after a crash between the two posts is caught by the message nonce.)
        if (work.StepNumber > 1 && step.Value.Message is null)
        {
            var observed = await presenter.PostObservationAsync(work.RunId, work.StepNumber - 1, cancellationToken);
            if (observed.Error is { } error) return error;
        }
        return await presenter.RenderStepAsync(work.RunId, work.StepNumber, cancellationToken);
    }
}
