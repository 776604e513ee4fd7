using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The client side of chapter 4: many messages up, one answer back.</summary>
public static class NumbersClient
{
    // Exercise 4.3
    public static Task<int> SumAsync(NumberService.NumberServiceClient client, IEnumerable<int> numbers)
    {
        // TODO 4.3: make one SumNumbers call, write every number to its request stream (in order),
        //           complete the stream, and return the Sum the server answers.
        //           An empty list still makes the call: the server answers the sum of nothing.
        //           Do not catch RpcException: if the server answers with an error (OutOfRange for
        //           a sum that does not fit in an int32), it should reach the caller.
        throw new NotImplementedException("TODO 4.3: SumAsync");
    }

    // Exercise 4.4
    public static Task<ReadingSummary> SummarizeAsync(SensorService.SensorServiceClient client, IAsyncEnumerable<SensorReading> readings, DateTime deadline)
    {
        // TODO 4.4: make one SummarizeReadings call with the given deadline, write each reading to
        //           it as soon as it comes out of `readings` (they arrive one at a time, like a
        //           device's measurements: do not collect them first), complete the stream when
        //           they run out, and return the server's ReadingSummary.
        //           A device can go quiet: the deadline must also end the wait for the next
        //           reading. Then the method throws the call's RpcException (DeadlineExceeded).
        throw new NotImplementedException("TODO 4.4: SummarizeAsync");
    }
}
