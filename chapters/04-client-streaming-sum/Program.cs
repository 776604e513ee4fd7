using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamingTutorial.Chapter04;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Numbers;

// Chapter 4's program: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// `demo` is the client too: what the workbook's `demo 4` runs against the server it started.
var program = new DemoProgram(args, "Chapter 4, client streaming", "dotnet run --project chapters/04-client-streaming-sum");
return program.Mode switch
{
    "server" => await program.ServeAsync(ServeAsync),
    "client" or "demo" => await program.CallAsync(CallAsync),
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
    app.MapGrpcService<NumberServiceImpl>();
    app.MapGrpcService<SensorServiceImpl>();
    app.MapDemoTools();
    await app.RunAsync();
}

// The client: your NumbersClient's calls.
static async Task CallAsync(CallInvoker channel, DemoOptions options, CancellationToken cancellationToken)
{
    // Options are checked before the first call: a typo is reported, not half run.
    var interval = TimeSpan.FromMilliseconds(options.GetInt("interval-ms", 100, min: 0, max: 60_000));

    var numbers = new NumberService.NumberServiceClient(channel);
    Console.WriteLine($"Sum: {await NumbersClient.SumAsync(numbers, Enumerable.Range(1, 10))}");

    // The workbook's extras: a server written only from the seed's contract may not have them,
    // so they are reported and skipped rather than fatal.
    try
    {
        var wrapped = await NumbersClient.SumAsync(numbers, [int.MaxValue, 1]);
        Console.WriteLine($"Sum of {int.MaxValue} and 1: {wrapped} (this server does not check for overflow)");
    }
    catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange)
    {
        Console.WriteLine($"Sum of {int.MaxValue} and 1: {ex.StatusCode}, \"{ex.Status.Detail}\"");
    }
    catch (RpcException ex) when (ex.StatusCode is not (StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.DeadlineExceeded))
    {
        Console.WriteLine($"Sum of {int.MaxValue} and 1: the server answered {ex.StatusCode} (\"{ex.Status.Detail}\"), not OutOfRange: skipped.");
    }

    var sensors = new SensorService.SensorServiceClient(channel);
    Console.WriteLine($"Streaming 20 readings, one every {interval.TotalMilliseconds:0} ms (Ctrl+C sends what has been read so far):");
    try
    {
        var summary = await NumbersClient.SummarizeAsync(sensors, Greenhouse.ReadingsAsync(20, interval, cancellationToken), DateTime.UtcNow.AddSeconds(30));
        Console.WriteLine($"Summary: {summary.Count} readings, min {summary.Min:0.00}, max {summary.Max:0.00}, mean {summary.Mean:0.00}");
    }
    catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
    {
        Console.WriteLine($"This server has no SensorService (only the workbook's server does): the readings are skipped. ({ex.Status.Detail})");
    }
}
