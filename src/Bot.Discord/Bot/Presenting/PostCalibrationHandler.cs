using System.Globalization;
using Bot.Core.Engine;
using Bot.Core.Ports;
using Bot.Core.Results;
using Bot.Discord.Bot.Rendering;
using Bot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Bot.Presenting;

/// <summary>
/// Posts a planned calibration post in the runs channel, where contractors see new runs. Like a step
/// message it is created with a nonce from its database id and enforce_nonce, so a retry after a
/// crash finds the message already created; its id is stored, first writer wins.
/// </summary>
public sealed partial class PostCalibrationHandler(
    ICalibration calibration,
    IStepReader steps,
    DiscordMessagesApi messages,
    IOptions<DiscordOptions> options,
    TimeProvider time,
    ILogger<PostCalibrationHandler> logger) : WorkHandler<PostCalibrationWork>
{
    protected override async Task<Result> HandleAsync(PostCalibrationWork work, WorkContext context, CancellationToken cancellationToken)
    {
        var post = await calibration.GetPostAsync(work.PostId, cancellationToken).ConfigureAwait(false);
        if (post.Error is { } missing) return missing;
        if (post.Value.Message is not null) return Result.Ok();
        var gold = await steps.GetStepAsync(post.Value.StepId, cancellationToken).ConfigureAwait(false);
        if (gold.Error is { } readError) return readError;

        var rendered = CalibrationRenderer.Render(post.Value, gold.Value, time.GetUtcNow());
        var created = await messages.CreateMessageAsync(options.Value.RunsChannelId, rendered.Message with
        {
            Nonce = "g" + work.PostId.ToString(CultureInfo.InvariantCulture),
            EnforceNonce = true,
        }, rendered.Files, cancellationToken).ConfigureAwait(false);
        if (created.Error is { } postError) return postError;
        var stored = await calibration.SetMessageAsync(work.PostId, DiscordRefs.Of(created.Value.Id), cancellationToken).ConfigureAwait(false);
        LogPosted(work.PostId, work.RunId.Value, work.StepNumber, DiscordRefs.Snowflake(stored) ?? 0);
        return Result.Ok();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Calibration post {PostId} (run {RunId} step {Step}) posted as message {MessageId}")]
    private partial void LogPosted(long postId, long runId, int step, ulong messageId);
}
