using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.2: summarises a batch of sensor readings streamed by a device.</summary>
public class SensorServiceImpl : SensorService.SensorServiceBase
{
    // Exercise 4.2
    // snippet: summarize-readings
    public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        var count = 0;
        var total = 0.0;
        // Start outside every possible value, so the first reading always replaces them.
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        await foreach (var reading in requestStream.ReadAllAsync(context.CancellationToken))
        {
            count++;
            if (!double.IsFinite(reading.Value))
            {
                var value = reading.Value.ToString(CultureInfo.InvariantCulture);
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Reading {count} (sensor '{reading.SensorId}') is {value}: only finite values can be summarised."));
            }
            total += reading.Value;
            min = Math.Min(min, reading.Value);
            max = Math.Max(max, reading.Value);
        }
        if (count == 0)
        {
            // Nothing to summarise: count 0 and zeros, as an empty sum is 0. (0.0 / 0 would be NaN.)
            return new ReadingSummary();
        }
        return new ReadingSummary { Count = count, Min = min, Max = max, Mean = total / count };
    }
    // end snippet
}
