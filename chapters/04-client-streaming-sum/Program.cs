using System.Globalization;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Chapter04;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Numbers;

// The chapter's demo: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
return await Demo.RunAsync(args, new DemoApp
{
    Title = "Chapter 4, client streaming",
    Command = "dotnet run --project chapters/04-client-streaming-sum",
    MapServer = app =>
    {
        app.MapGrpcService<NumberServiceImpl>();
        app.MapGrpcService<SensorServiceImpl>();
    },
    RunClient = async (channel, options, cancellationToken) =>
    {
        var numbers = new NumberService.NumberServiceClient(channel);
        Console.WriteLine($"Sum: {await NumbersClient.SumAsync(numbers, Enumerable.Range(1, 10))}");
        try
        {
            await NumbersClient.SumAsync(numbers, [int.MaxValue, 1]);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange)
        {
            Console.WriteLine($"Sum of {int.MaxValue} and 1: {ex.StatusCode}, \"{ex.Status.Detail}\"");
        }

        var sensors = new SensorService.SensorServiceClient(channel);
        var interval = TimeSpan.FromMilliseconds(int.Parse(options.Get("interval-ms", "100"), CultureInfo.InvariantCulture));
        Console.WriteLine($"Streaming 20 readings, one every {interval.TotalMilliseconds:0} ms (Ctrl+C sends what has been read so far):");
        var summary = await NumbersClient.SummarizeAsync(sensors, SimulatedReadings(20, interval, cancellationToken), DateTime.UtcNow.AddSeconds(30));
        Console.WriteLine($"Summary: {summary.Count} readings, min {summary.Min:0.00}, max {summary.Max:0.00}, mean {summary.Mean:0.00}");
    },
});

// Two greenhouse thermometers taking turns, as a device would read them: one at a time, with a pause.
static async IAsyncEnumerable<SensorReading> SimulatedReadings(int count, TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken = default)
{
    for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
    {
        var reading = new SensorReading
        {
            SensorId = i % 2 == 0 ? "greenhouse-north" : "greenhouse-south",
            Value = Math.Round(21.0 + (3.0 * Math.Sin(i / 3.0)) + (i % 2 == 0 ? 0.0 : -1.5), 2),
        };
        Console.WriteLine($"  sending {reading.SensorId}: {reading.Value:0.00}");
        yield return reading;
        try
        {
            await Task.Delay(interval, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C ends the stream early (the loop stops); the summary covers what was sent.
        }
    }
}
