// Wrong service: a GetTimeUpdates that goes on sending after its call is cancelled.
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

public class StreamingServiceImpl
{
    public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
    {
        if (request.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"interval_ms must be 0 or more, not {request.IntervalMs}."));
        }
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs == 0 ? DefaultIntervalMs : request.IntervalMs);
        long sequence = 0;
        // Ends only when a write fails, as when the stream is closed under it.
        while (true)
        {
            sequence++;
            await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(DateTime.UtcNow), Sequence = sequence });
            await Task.Delay(interval);
        }
    }
}
