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
    public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
    {
        // TODO 2.1: send a TimeUpdate (the current UTC time and a sequence number), the first
        //           one right away, then one every request.IntervalMs milliseconds (0 means
        //           DefaultIntervalMs), until the client cancels. Number them 1, 2, 3, ... within each call.
        //           When the client cancels, stop at once, not at the end of the current wait.
        //           A negative interval is the caller's mistake: refuse it before sending anything.
        throw new NotImplementedException("TODO 2.1: GetTimeUpdates");
    }
}
