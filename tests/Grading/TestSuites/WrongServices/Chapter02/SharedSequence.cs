// Wrong service: a GetTimeUpdates whose sequence numbers carry on from the last call (a static counter).
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

public class StreamingServiceImpl
{
    private static long sequence;

    public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
    {
        if (request.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"interval_ms must be 0 or more, not {request.IntervalMs}."));
        }
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs == 0 ? DefaultIntervalMs : request.IntervalMs);
        var stop = context.CancellationToken;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(DateTime.UtcNow), Sequence = Interlocked.Increment(ref sequence) });
                await Task.Delay(interval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
