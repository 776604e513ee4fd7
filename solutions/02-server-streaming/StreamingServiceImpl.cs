using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Chapter02;

/// <summary>The time service of chapter 2: one request, then the time again and again until the client stops.</summary>
public class StreamingServiceImpl : StreamingService.StreamingServiceBase
{
    /// <summary>The pause between two updates when the request leaves interval_ms at 0.</summary>
    public const int DefaultIntervalMs = 1000;

    // Exercise 2.1
    // snippet: time-updates
    public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
    {
        if (request.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"interval_ms must be 0 (meaning {DefaultIntervalMs} ms) or more, not {request.IntervalMs}."));
        }
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs == 0 ? DefaultIntervalMs : request.IntervalMs);
        var stop = context.CancellationToken;
        long sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                sequence++;
                await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(DateTime.UtcNow), Sequence = sequence });
                // The token wakes the wait as soon as the client cancels, instead of a whole interval later.
                await Task.Delay(interval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client cancelled (or its deadline passed): the stream is over, there is no one to send to.
        }
    }
    // end snippet
}
