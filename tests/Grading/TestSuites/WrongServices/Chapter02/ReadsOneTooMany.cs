// Wrong client: a ReadTimeUpdatesAsync that hands over one update more than maxUpdates.
using Grpc.Core;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

public static class StreamingClient
{
    public static async Task ReadTimeUpdatesAsync(StreamingService.StreamingServiceClient client, int intervalMs, int maxUpdates,
        Action<TimeUpdate> onUpdate, CancellationToken cancellationToken = default)
    {
        using var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs }, cancellationToken: cancellationToken);
        var received = 0;
        await foreach (var update in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            onUpdate(update);
            if (received++ == maxUpdates)
            {
                break;
            }
        }
    }
}
