using Grpc.Core;
using StreamingTutorial.BookExamples.Protos;

namespace StreamingTutorial.BookExamples;

/// <summary>Chapter 2's example: the server streams a countdown.</summary>
public sealed class LaunchService : Launch.LaunchBase
{
    // snippet: countdown
    public override async Task Countdown(CountdownRequest request, IServerStreamWriter<Tick> responseStream, ServerCallContext context)
    {
        if (request.From is < 0 or > 100)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"from must be 0 to 100, not {request.From}."));
        }
        var pause = TimeSpan.FromMilliseconds(Math.Max(request.IntervalMs, 0));
        for (var left = request.From; left >= 0; left--)
        {
            await responseStream.WriteAsync(new Tick { Remaining = left });
            if (left > 0)
            {
                // Wakes at once when the client cancels, disconnects or runs out of time.
                await Task.Delay(pause, context.CancellationToken);
            }
        }
        // Returning ends the stream with status OK.
    }
    // end snippet
}

public static class CountdownClientExamples
{
    // snippet: countdown-client
    public static async Task<List<int>> FirstTicksAsync(Launch.LaunchClient launch, int from, int howMany)
    {
        var seen = new List<int>();
        // Not awaited: the call starts, and the messages are read from its ResponseStream.
        // Disposing the call at the end cancels it if the server is still counting.
        using var countdown = launch.Countdown(new CountdownRequest { From = from, IntervalMs = 10 });
        await foreach (var tick in countdown.ResponseStream.ReadAllAsync())
        {
            seen.Add(tick.Remaining);
            if (seen.Count >= howMany)
            {
                break;
            }
        }
        return seen;
    }
    // end snippet

    // snippet: countdown-deadline
    public static async Task<(List<int> Ticks, bool TimedOut)> TicksWithinAsync(Launch.LaunchClient launch, TimeSpan patience)
    {
        var ticks = new List<int>();
        using var countdown = launch.Countdown(new CountdownRequest { From = 50, IntervalMs = 100 }, deadline: DateTime.UtcNow + patience);
        try
        {
            await foreach (var tick in countdown.ResponseStream.ReadAllAsync())
            {
                ticks.Add(tick.Remaining);
            }
            return (ticks, false);
        }
        catch (RpcException timeUp) when (timeUp.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The deadline covers the whole stream; what came before it is still good.
            return (ticks, true);
        }
    }
    // end snippet
}
