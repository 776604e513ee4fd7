using System.Diagnostics;

namespace StreamingTutorial.GrpcRuntime.Internals.Tests;

/// <summary>
/// How many inputs a fuzz test tries: a fixed count, cut short by a time budget so a slow
/// machine still finishes. Seeds are fixed, so a failure names an input that can be replayed;
/// STREAMINGTUTORIAL_FUZZ_SEED picks other seeds and STREAMINGTUTORIAL_FUZZ_SCALE multiplies the counts.
/// </summary>
internal sealed class FuzzBudget
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TimeSpan limit;

    public FuzzBudget(int count, TimeSpan limit)
    {
        var scale = int.TryParse(Environment.GetEnvironmentVariable("STREAMINGTUTORIAL_FUZZ_SCALE"), out var s) && s > 0 ? s : 1;
        Count = count * scale;
        this.limit = limit * scale;
        Seed = int.TryParse(Environment.GetEnvironmentVariable("STREAMINGTUTORIAL_FUZZ_SEED"), out var seed) ? seed : 20_240_601;
        Random = new Random(Seed);
    }

    public int Count { get; }

    public int Seed { get; }

    public Random Random { get; }

    public int Tried { get; private set; }

    /// <summary>True while there are inputs and time left.</summary>
    public bool Next()
    {
        if (Tried >= Count || (Tried > 0 && clock.Elapsed > limit))
        {
            return false;
        }
        Tried++;
        return true;
    }

    public string Summary => $"{Tried} inputs in {clock.Elapsed.TotalSeconds:0.0} s (seed {Seed})";
}
