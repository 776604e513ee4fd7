using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

/// <summary>The client side of chapter 2: reading server streams, and stopping them.</summary>
public static class StreamingClient
{
    // Exercise 2.3
    public static async Task ReadTimeUpdatesAsync(StreamingService.StreamingServiceClient client, int intervalMs, int maxUpdates,
        Action<TimeUpdate> onUpdate, CancellationToken cancellationToken = default)
    {
        // TODO 2.3: call GetTimeUpdates with the interval and pass each update to onUpdate,
        //           in order. Stop after maxUpdates updates, and make sure the server learns that you
        //           stopped (a call you walk away from keeps running). When cancellationToken is
        //           cancelled (Ctrl+C in the demo), the reading must stop too.
        throw new NotImplementedException("TODO 2.3: ReadTimeUpdatesAsync");
    }

    // Exercise 2.4
    public static async Task<IReadOnlyList<RandomNumber>> ReadNumbersAsync(RandomService.RandomServiceClient client, RandomRequest request, TimeSpan timeout)
    {
        // TODO 2.4: call GenerateNumbers with the request, giving the whole call `timeout` at
        //           most, and return every number that arrived, in order. Running out of time is not an
        //           error here: return what came before it. Any other error should reach the caller.
        throw new NotImplementedException("TODO 2.4: ReadNumbersAsync");
    }
}
