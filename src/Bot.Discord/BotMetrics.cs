using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bot.Discord;

/// <summary>
/// Where an interaction's time goes, as .NET metrics (watch them with
/// <c>dotnet-counters monitor -n Bot.Host --counters Bot.Discord</c>): waiting for a handler slot,
/// the handler's own work before the callback, the callback request, and what follows it
/// (follow-up message, after-work). Added to find the click path's costs by measurement.
/// </summary>
public static class BotMetrics
{
    public const string MeterName = "Bot.Discord";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> DispatchWait = Meter.CreateHistogram<double>("bot.dispatch.wait", "ms",
        "From receiving a gateway dispatch to a handler starting on it");

    public static readonly Histogram<double> InteractionAnswer = Meter.CreateHistogram<double>("bot.interaction.answer", "ms",
        "The handler's work before the interaction callback (reads, the engine command, rendering)");

    public static readonly Histogram<double> InteractionLoad = Meter.CreateHistogram<double>("bot.interaction.load", "ms",
        "A vote click reading where its step lives (the step guard)");

    public static readonly Histogram<double> InteractionCommand = Meter.CreateHistogram<double>("bot.interaction.command", "ms",
        "The engine command an interaction sends, through its group commit");

    public static readonly Histogram<double> InteractionCallback = Meter.CreateHistogram<double>("bot.interaction.callback", "ms",
        "The interaction callback request");

    public static readonly Histogram<double> InteractionAfter = Meter.CreateHistogram<double>("bot.interaction.after", "ms",
        "What the handler does after the callback (follow-up message, deferred edits, after-work)");

    /// <summary>Milliseconds since <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}
