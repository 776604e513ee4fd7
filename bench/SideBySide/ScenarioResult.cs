using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StreamingTutorial.Bench;

/// <summary>What one client run measured; the line <c>RESULT {json}</c> that every client prints.</summary>
internal sealed record ScenarioResult(long Ops, double Seconds, long Bytes, double P50Us, double P99Us)
{
    public static ScenarioResult From(long ops, long elapsedTicks, long bytes, LatencyRecorder? latencies) =>
        new(ops, (double)elapsedTicks / Stopwatch.Frequency, bytes,
            latencies?.PercentileMicroseconds(0.50) ?? 0, latencies?.PercentileMicroseconds(0.99) ?? 0);

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"ops\": {Ops}, \"seconds\": {Seconds:R}, \"bytes\": {Bytes}, \"p50_us\": {P50Us:R}, \"p99_us\": {P99Us:R}}}");

    public static ScenarioResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new ScenarioResult(
            (long)root.GetProperty("ops").GetDouble(),
            root.GetProperty("seconds").GetDouble(),
            (long)root.GetProperty("bytes").GetDouble(),
            root.GetProperty("p50_us").GetDouble(),
            root.GetProperty("p99_us").GetDouble());
    }
}

/// <summary>Latencies in Stopwatch ticks, and their nearest-rank percentiles (the peers compute them the same way).</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private long[] ticks = new long[Math.Max(capacity, 16)];

    public int Count { get; private set; }

    public void Add(long value)
    {
        if (Count == ticks.Length)
        {
            Array.Resize(ref ticks, ticks.Length * 2);
        }
        ticks[Count++] = value;
    }

    /// <summary>Adds another recorder's values (not thread-safe: merge after the writers are done).</summary>
    public void AddAll(LatencyRecorder other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Add(other.ticks[i]);
        }
    }

    public double PercentileMicroseconds(double fraction)
    {
        if (Count == 0)
        {
            return 0;
        }
        Array.Sort(ticks, 0, Count);
        var rank = Math.Max(1, (int)Math.Ceiling(fraction * Count));
        return ticks[Math.Min(rank, Count) - 1] * 1e6 / Stopwatch.Frequency;
    }
}
