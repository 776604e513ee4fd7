using System.Runtime.CompilerServices;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The sensor readings the chapter's client streams, simulated.</summary>
public static class Greenhouse
{
    /// <summary>Two greenhouse thermometers taking turns, as a device would read them: one at a time, with a pause.</summary>
    public static async IAsyncEnumerable<SensorReading> ReadingsAsync(int count, TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var reading = new SensorReading
            {
                SensorId = i % 2 == 0 ? "greenhouse-north" : "greenhouse-south",
                Value = Math.Round(21.0 + (3.0 * Math.Sin(i / 3.0)) + (i % 2 == 0 ? 0.0 : -1.5), 2),
            };
            Console.WriteLine($"  sending {reading.SensorId}: {reading.Value:0.00}");
            yield return reading;
            try
            {
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C ends the stream early (the loop stops); the summary covers what was sent.
            }
        }
    }
}
