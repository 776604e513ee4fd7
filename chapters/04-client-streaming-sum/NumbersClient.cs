using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The client side of chapter 4: many messages up, one answer back.</summary>
public static class NumbersClient
{
    // Exercise 4.3
    public static async Task<int> SumAsync(NumberService.NumberServiceClient client, IEnumerable<int> numbers)
    {
        // TODO 4.3: make one SumNumbers call carrying every number (in order) and return the
        //           Sum the server answers. An empty list still makes the call.
        //           If the server answers with an error (OutOfRange for a sum that does not fit in an
        //           int32), it should reach the caller unchanged.
        throw new NotImplementedException("TODO 4.3: SumAsync");
    }

    // Exercise 4.4
    public static async Task<ReadingSummary> SummarizeAsync(SensorService.SensorServiceClient client, IAsyncEnumerable<SensorReading> readings, DateTime deadline)
    {
        // TODO 4.4: make one SummarizeReadings call that must be over by `deadline`, send each
        //           reading as soon as it comes out of `readings` (they arrive one at a time, like a
        //           device's measurements: do not collect them first), and return the server's summary.
        //           A device can go quiet: the deadline must also end the wait for the next
        //           reading, and then the method throws the call's RpcException (DeadlineExceeded).
        throw new NotImplementedException("TODO 4.4: SummarizeAsync");
    }
}
