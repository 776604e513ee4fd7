// Wrong service: a SummarizeReadings whose minimum starts at 0, so readings all above 0 report a minimum of 0.
using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

public class SensorServiceImpl
{
    public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        var count = 0;
        var total = 0.0;
        var min = 0.0;
        var max = 0.0;
        await foreach (var reading in requestStream.ReadAllAsync(context.CancellationToken))
        {
            count++;
            if (!double.IsFinite(reading.Value))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Reading {count} is {reading.Value.ToString(CultureInfo.InvariantCulture)}: only finite values can be summarised."));
            }
            total += reading.Value;
            min = Math.Min(min, reading.Value);
            max = Math.Max(max, reading.Value);
        }
        return count == 0 ? new ReadingSummary() : new ReadingSummary { Count = count, Min = min, Max = max, Mean = total / count };
    }
}
