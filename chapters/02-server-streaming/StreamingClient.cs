using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

/// <summary>The client side of chapter 2: reading server streams, and stopping them.</summary>
public static class StreamingClient
{
    // Exercise 2.3
    public static Task ReadTimeUpdatesAsync(StreamingService.StreamingServiceClient client, int intervalMs, int maxUpdates,
        Action<TimeUpdate> onUpdate, CancellationToken cancellationToken = default)
    {
        // TODO 2.3: call GetTimeUpdates with the interval and the cancellationToken, then read the
        //           response stream with await foreach and pass each update to onUpdate.
        //           Stop after maxUpdates updates, and make sure the server learns that you
        //           stopped: dispose the call (using var call = ...) so it is cancelled.
        //           When cancellationToken is cancelled (Ctrl+C in the demo), the reading must stop too.
        throw new NotImplementedException("TODO 2.3: ReadTimeUpdatesAsync");
    }

    // Exercise 2.4
    public static Task<IReadOnlyList<RandomNumber>> ReadNumbersAsync(RandomService.RandomServiceClient client, RandomRequest request, TimeSpan timeout)
    {
        // TODO 2.4: call GenerateNumbers with the request and a deadline `timeout` from now
        //           (deadline: DateTime.UtcNow.Add(timeout)), read every number of the stream and
        //           return them in the order they came.
        //           If the deadline passes first, the read throws an RpcException with
        //           StatusCode.DeadlineExceeded: catch that one and return the numbers that did
        //           arrive. Any other error should reach the caller.
        throw new NotImplementedException("TODO 2.4: ReadNumbersAsync");
    }
}
