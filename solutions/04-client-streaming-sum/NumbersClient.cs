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
        await foreach (var reading in readings)
        {
            await call.RequestStream.WriteAsync(reading);
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
    // end snippet
}
