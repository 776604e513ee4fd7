using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Chapter02;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

// The chapter's demo: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// Client options: --interval <ms> between time updates, --updates <n> to stop after n of them
// (default: until Ctrl+C), then --min, --max, --count, --number-interval <ms> and --timeout <s>
// for the random numbers.
return await Demo.RunAsync(args, new DemoApp
{
    Title = "Chapter 2, server streaming",
    Command = "dotnet run --project chapters/02-server-streaming",
    MapServer = app =>
    {
        app.MapGrpcService<StreamingServiceImpl>();
        app.MapGrpcService<RandomServiceImpl>();
    },
    RunClient = async (channel, options, cancellationToken) =>
    {
        int Number(string name, int fallback) => int.Parse(options.Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        Console.WriteLine("Time updates from the server (Ctrl+C to stop them):");
        var timeClient = new StreamingService.StreamingServiceClient(channel);
        try
        {
            await StreamingClient.ReadTimeUpdatesAsync(timeClient, Number("interval", 1000), Number("updates", int.MaxValue),
                update => Console.WriteLine($"[{update.Sequence}] {update.Time.ToDateTime().ToLocalTime():HH:mm:ss.fff}"),
                cancellationToken);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            Console.WriteLine("Stopped the time updates.");
        }

        var request = new RandomRequest
        {
            Min = Number("min", 1),
            Max = Number("max", 100),
            Count = Number("count", 10),
            IntervalMs = Number("number-interval", 300),
        };
        var timeout = TimeSpan.FromSeconds(Number("timeout", 10));
        Console.WriteLine($"{request.Count} random numbers from {request.Min} to {request.Max}, one every {request.IntervalMs} ms (deadline {timeout.TotalSeconds:0} s):");
        var numbers = await StreamingClient.ReadNumbersAsync(new RandomService.RandomServiceClient(channel), request, timeout);
        foreach (var number in numbers)
        {
            Console.WriteLine($"#{number.Sequence}: {number.Value}");
        }
        if (numbers.Count < request.Count)
        {
            Console.WriteLine($"The deadline passed after {numbers.Count} of {request.Count} numbers.");
        }
    },
});
