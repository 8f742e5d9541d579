using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bot.Discord;

namespace Bot.Benchmarks;

/// <summary>
/// The product's click-path histograms (<see cref="BotMetrics"/>) collected in the bot process, so
/// a tail can be placed in a phase: waiting for a handler, reading the step, the engine command
/// through group commit, the callback.
/// </summary>
public sealed class PhaseTimes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _values = new();

    public PhaseTimes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BotMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            _values.GetOrAdd(instrument.Name, _ => new ConcurrentQueue<double>()).Enqueue(value));
        _listener.Start();
    }

    /// <summary>Forgets the warm-up.</summary>
    public void Reset() => _values.Clear();

    public IEnumerable<string> Report() =>
        _values.OrderBy(v => v.Key).Select(v => $"{v.Key}: {Summary.Of([.. v.Value])}");

    public void Dispose() => _listener.Dispose();
}
