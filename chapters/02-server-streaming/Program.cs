using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamingTutorial.Chapter02;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

// Chapter 2's program: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// Client options: --interval <ms> between time updates, --updates <n> to stop after n of them
// (default: until Ctrl+C), then --min, --max, --count, --number-interval <ms> and --timeout <s>
// for the random numbers. A second Ctrl+C ends the program.
// `demo` is the client with a short clock: six updates, 500 ms apart (what the workbook's `demo 2` runs).
var program = new DemoProgram(args, "Chapter 2, server streaming", "dotnet run --project chapters/02-server-streaming");
return program.Mode switch
{
    "server" => await program.ServeAsync(ServeAsync),
    "client" => await program.CallAsync((channel, options, stop) => CallAsync(channel, options, 1000, int.MaxValue, stop)),
    "demo" => await program.CallAsync((channel, options, stop) => CallAsync(channel, options, 500, 6, stop)),
    _ => program.PrintUsage(),
};

// The server: the hosting lines of any gRPC service on ASP.NET Core, plus two calls for the workbook's extras.
static async Task ServeAsync(DemoOptions options)
{
    var builder = WebApplication.CreateBuilder();
    builder.WebHost.ConfigureKestrel(kestrel =>
        kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    builder.AddDemoTools(options);

    var app = builder.Build();
    app.MapGrpcService<StreamingServiceImpl>();
    app.MapGrpcService<RandomServiceImpl>();
    app.MapDemoTools();
    await app.RunAsync();
}

// The client: your StreamingClient's calls, with the time updates' defaults given by the mode.
static async Task CallAsync(CallInvoker channel, DemoOptions options, int defaultIntervalMs, int defaultUpdates, CancellationToken cancellationToken)
{
    // Every option is checked before the first call: a typo is reported, not half run.
    var intervalMs = options.GetInt("interval", defaultIntervalMs, min: 0, max: 3_600_000);
    var maxUpdates = options.GetInt("updates", defaultUpdates, min: 1);
    var request = new RandomRequest
    {
        Min = options.GetInt("min", 1),
        Max = options.GetInt("max", 100),
        Count = options.GetInt("count", 10, min: 0, max: 1_000_000),
        IntervalMs = options.GetInt("number-interval", 300, min: 0, max: 3_600_000),
    };
    if (request.Min > request.Max)
    {
        throw new DemoOptionException($"--min ({request.Min}) must not be greater than --max ({request.Max}).");
    }
    var timeout = TimeSpan.FromSeconds(options.GetInt("timeout", 10, min: 1, max: 3600));

    Console.WriteLine("Time updates from the server (Ctrl+C to stop them):");
    var timeClient = new StreamingService.StreamingServiceClient(channel);
    try
    {
        await StreamingClient.ReadTimeUpdatesAsync(timeClient, intervalMs, maxUpdates,
            update => Console.WriteLine($"[{update.Sequence}] {update.Time.ToDateTime().ToLocalTime():HH:mm:ss.fff}"),
            cancellationToken);
    }
    catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
    {
        Console.WriteLine("Stopped the time updates.");
    }

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
}
