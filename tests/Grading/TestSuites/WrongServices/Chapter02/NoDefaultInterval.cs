// Wrong service: a GetTimeUpdates that sends without a pause when interval_ms is 0, instead of every second.
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
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs);
        var stop = context.CancellationToken;
        long sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                sequence++;
                await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(DateTime.UtcNow), Sequence = sequence });
                await Task.Delay(interval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
