using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The client side of chapter 4: many messages up, one answer back.</summary>
public static class NumbersClient
{
    // Exercise 4.3
    // snippet: sum-async
    public static async Task<int> SumAsync(NumberService.NumberServiceClient client, IEnumerable<int> numbers)
    {
        using var call = client.SumNumbers();
        foreach (var number in numbers)
        {
            await call.RequestStream.WriteAsync(new NumberRequest { Num = number });
        }
        // Tells the server there is nothing more; only then can it answer.
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        return response.Sum;
    }
    // end snippet

    // Exercise 4.4
    // snippet: summarize-async
    public static async Task<ReadingSummary> SummarizeAsync(SensorService.SensorServiceClient client, IAsyncEnumerable<SensorReading> readings, DateTime deadline)
    {
        using var call = client.SummarizeReadings(deadline: deadline);
        // The deadline also ends the wait for the next reading: a device that goes quiet must not
        // keep the caller waiting past it.
        var left = deadline.ToUniversalTime() - DateTime.UtcNow;
        using var timeUp = new CancellationTokenSource(left < TimeSpan.Zero ? TimeSpan.Zero : left > TimeSpan.FromDays(1) ? Timeout.InfiniteTimeSpan : left);
        try
        {
            await foreach (var reading in readings.WithCancellation(timeUp.Token))
            {
                await call.RequestStream.WriteAsync(reading);
            }
        }
        catch (OperationCanceledException) when (timeUp.IsCancellationRequested)
        {
            // Time is up while waiting for a reading. The call has the same deadline: its answer says so.
            return await call.ResponseAsync;
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
    // end snippet
}
