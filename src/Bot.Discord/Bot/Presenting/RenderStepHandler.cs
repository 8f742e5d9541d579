using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;

namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// Shows a step in the run's thread (<see cref="IStepPresenter.RenderStepAsync"/>: before the
/// step's first message, the previous step's result; then the step message itself, posted once and
/// edited on later revisions).
/// </summary>
public sealed class RenderStepHandler(IStepPresenter presenter) : WorkHandler<RenderStepWork>
{
    // No revision check: a step has at most one render pending, and it shows the step as it is
    // now. A newer revision queues its own render only once this one is running.
    protected override Task<Result> HandleAsync(RenderStepWork work, WorkContext context, CancellationToken cancellationToken) =>
        presenter.RenderStepAsync(work.RunId, work.StepNumber, cancellationToken);
}
