// Wrong service: a SummarizeReadings that takes in a NaN reading, and answers with a NaN mean.
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

public class SensorServiceImpl
{
    public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        var count = 0;
        var total = 0.0;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        await foreach (var reading in requestStream.ReadAllAsync(context.CancellationToken))
        {
            count++;
            total += reading.Value;
            min = Math.Min(min, reading.Value);
            max = Math.Max(max, reading.Value);
        }
        return count == 0 ? new ReadingSummary() : new ReadingSummary { Count = count, Min = min, Max = max, Mean = total / count };
    }
}
