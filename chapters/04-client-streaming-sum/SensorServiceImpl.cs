using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.2: summarises a batch of sensor readings streamed by a device.</summary>
public class SensorServiceImpl : SensorService.SensorServiceBase
{
    // Exercise 4.2
    public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        // TODO 4.2: answer with a ReadingSummary of every SensorReading the client streams:
        //           Count, and the Min, Max and Mean of their Value.
        //           - No readings at all is fine: an empty ReadingSummary (everything 0).
        //           - A value that is NaN or infinite cannot be summarised: refuse it as the caller's
        //             mistake, with a message that names the reading's position, counting from 1,
        //             e.g. "Reading 4 (sensor 'hall') is NaN".
        //             (CultureInfo.InvariantCulture, already imported, formats a double the same everywhere.)
        throw new NotImplementedException("TODO 4.2: SummarizeReadings");
    }
}
