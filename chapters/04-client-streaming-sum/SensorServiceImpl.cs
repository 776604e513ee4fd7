using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.2: summarises a batch of sensor readings streamed by a device.</summary>
public class SensorServiceImpl : SensorService.SensorServiceBase
{
    // Exercise 4.2
    public override Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        // TODO 4.2: read every SensorReading the client streams and answer with a ReadingSummary:
        //           Count (how many readings), and the Min, Max and Mean of their Value.
        //           - No readings at all is fine: answer Count 0 with Min, Max and Mean 0
        //             (an empty ReadingSummary), as an empty sum is 0 in exercise 4.1.
        //           - A value that is NaN or infinite cannot be summarised: throw an RpcException
        //             with StatusCode.InvalidArgument whose message names the reading's position,
        //             counting from 1, e.g. "Reading 4 (sensor 'hall') is NaN".
        //             (CultureInfo.InvariantCulture, already imported, formats a double the same everywhere.)
        throw new NotImplementedException("TODO 4.2: SummarizeReadings");
    }
}
