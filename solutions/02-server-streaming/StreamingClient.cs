using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

/// <summary>The client side of chapter 2: reading server streams, and stopping them.</summary>
public static class StreamingClient
{
    // Exercise 2.3
    // snippet: read-time-updates
    public static async Task ReadTimeUpdatesAsync(StreamingService.StreamingServiceClient client, int intervalMs, int maxUpdates,
        Action<TimeUpdate> onUpdate, CancellationToken cancellationToken = default)
    {
        // Disposing the call (at the end of this method) cancels it if the server is still sending.
        using var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs }, cancellationToken: cancellationToken);
        var received = 0;
        await foreach (var update in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            onUpdate(update);
            received++;
            if (received == maxUpdates)
            {
                break;
            }
        }
    }
    // end snippet

    // Exercise 2.4
    // snippet: read-numbers-with-deadline
    public static async Task<IReadOnlyList<RandomNumber>> ReadNumbersAsync(RandomService.RandomServiceClient client, RandomRequest request, TimeSpan timeout)
    {
        var numbers = new List<RandomNumber>();
        using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.Add(timeout));
        try
        {
            await foreach (var number in call.ResponseStream.ReadAllAsync())
            {
                numbers.Add(number);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            // Time is up. The numbers that arrived before the deadline are still good: keep them.
        }
        return numbers;
    }
    // end snippet
}
