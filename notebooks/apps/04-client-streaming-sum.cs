// ../04-client-streaming-sum.ipynb as a file-based app: dotnet run 04-client-streaming-sum.cs (in this folder).
// Made by the notebook runner's --export: change the notebook, then export again.
#:package Google.Protobuf
#:package Grpc.Core.Api
#:package Grpc.Net.Client
#:package Grpc.AspNetCore
#:project ../../solutions/04-client-streaming-sum/SumNumbers.csproj

using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Chapter04;
using StreamingTutorial.Protos.Numbers;

// # Chapter 4: Client streaming, a sum of numbers, live
//
// This notebook starts the chapter's two services on your machine and streams numbers and sensor readings to them. Read a section, run the cell under it, and change things: every cell can be run again.
//
// - **In VS Code**: open this file with the Polyglot Notebooks extension (or in Jupyter with the .NET
//   Interactive kernel, see [`README.md`](README.md)) and run the cells in order
//   (build first: `dotnet build solutions/04-client-streaming-sum`).
// - **From a terminal**: `dotnet run --project tools/NotebookRunner -- notebooks/04-client-streaming-sum.ipynb`
//   runs every cell and prints what each one shows (it builds what is missing).
// - **As a program**, with only the .NET SDK: `dotnet run notebooks/apps/04-client-streaming-sum.cs` runs the same
//   cells as one file-based app.
//
// The lesson is in [`book.md`](../book.md), chapter 4.

// ## Load the chapter
//
// A notebook uses compiled code with `#r`. Building the chapter puts what its program is made of
// in its output folder: the official gRPC packages (Google.Protobuf for the messages, Grpc.Core.Api
// for what client and server share, Grpc.Net.Client for the channel, Grpc.AspNetCore.Server for
// hosting), the C# generated from `protos/numbers.proto`, and the chapter itself. Loading them
// from there gives the notebook the versions the chapter was built with. The paths are relative
// to this notebook.

// --- cell 3

// ## Start the server
//
// A gRPC server is an ASP.NET Core app with two extra lines: `AddGrpc()` registers the gRPC
// machinery, and `MapGrpcService<T>()` routes a service's calls to the chapter's class. Two services share this server: the sum of numbers and the sensor summary.
//
// It listens on 127.0.0.1 only, on port 0, which lets the system pick a free port. gRPC runs over
// HTTP/2, and without TLS the server must be told so.

// --- cell 5
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<NumberServiceImpl>();
app.MapGrpcService<SensorServiceImpl>();
await app.StartAsync();

var address = app.Urls.Single();
Console.WriteLine($"Server listening on {address}");

// ## A channel and two clients

// --- cell 7
var channel = GrpcChannel.ForAddress(address);
var numbers = new NumberService.NumberServiceClient(channel);
var sensors = new SensorService.SensorServiceClient(channel);

// ## Sending numbers one at a time
//
// The client writes each number as a message of its own, then completes its side of the call.
// The server adds them up as they arrive and answers once, with the sum, after the last.

// --- cell 9
// The numbers 1 to 10, one message each.
using (var call = numbers.SumNumbers())
{
    foreach (var n in Enumerable.Range(1, 10))
    {
        await call.RequestStream.WriteAsync(new NumberRequest { Num = n });
        Console.Write($"{n} ");
    }
    Console.WriteLine("sent");
    await call.RequestStream.CompleteAsync();
    var response = await call.ResponseAsync;
    Console.WriteLine($"Sum: {response.Sum}");
}

// ## A sum that does not fit
//
// The server adds in a `long`, so it never wraps around midway, and refuses a total that does not
// fit in the reply's `int32` with `OutOfRange`.

// --- cell 11
// int.MaxValue + 1.
try
{
    await NumbersClient.SumAsync(numbers, [int.MaxValue, 1]);
}
catch (RpcException ex)
{
    Console.WriteLine($"Refused: {ex.StatusCode}, \"{ex.Status.Detail}\"");
}

// ## A stream from a device
//
// A client stream does not have to exist up front: here the readings are produced one by one, the
// way a thermometer would take them, and each is sent as soon as it is read. The server sees them
// as they come and answers with a summary when the device stops.

// --- cell 13
// Two thermometers taking turns, a reading every 50 ms.
async IAsyncEnumerable<SensorReading> Readings(int count)
{
    for (var i = 0; i < count; i++)
    {
        await Task.Delay(50);
        var reading = new SensorReading
        {
            SensorId = i % 2 == 0 ? "greenhouse-north" : "greenhouse-south",
            Value = Math.Round(21.0 + (3.0 * Math.Sin(i / 3.0)), 2),
        };
        Console.WriteLine($"  sending {reading.SensorId}: {reading.Value:0.00}");
        yield return reading;
    }
}

var summary = await NumbersClient.SummarizeAsync(sensors, Readings(8), DateTime.UtcNow.AddSeconds(10));
Console.WriteLine($"Summary: {summary.Count} readings, min {summary.Min:0.00}, max {summary.Max:0.00}, mean {summary.Mean:0.00}");

// > **Try it**: give `SummarizeAsync` a deadline of 200 ms with `Readings(8)`. The device is too
// > slow, and the call ends with `DeadlineExceeded`: no summary of a batch that never ended.

// ## An empty stream is a stream too
//
// Completing at once, without a single message, is a valid call. The sum of nothing is 0, and a
// summary of no readings has a count of 0.

// --- cell 16
// No numbers, no readings.
Console.WriteLine($"Sum of nothing: {await NumbersClient.SumAsync(numbers, [])}");
var none = await NumbersClient.SummarizeAsync(sensors, Readings(0), DateTime.UtcNow.AddSeconds(5));
Console.WriteLine($"Summary of nothing: {none.Count} readings");

// ## The chapter's client code
//
// Exercises 4.3 and 4.4 are the client side: `NumbersClient.SumAsync` and `SummarizeAsync`, which
// the cells above already used. One more, with a longer stream:

// --- cell 18
Show(await NumbersClient.SumAsync(numbers, Enumerable.Range(1, 100)));

// > **Try it with your own code**: build your chapter (`dotnet build chapters/04-client-streaming-sum`), change
// > `solutions/04-client-streaming-sum` to `chapters/04-client-streaming-sum` in the `#r` lines at the top, restart the notebook
// > and run it again. Your server now answers, and your client code makes the calls. An exercise
// > you have not done yet throws `NotImplementedException`; on the server side the client sees
// > that as `Unknown`. (The runner: `--build` rebuilds what the `#r` lines point into.)

// ## Playground
//
// The server and the clients are still up. Sum negative numbers, stream readings with a value of
// `double.NaN` (the server refuses it), or write your own loop over `numbers.SumNumbers()`.

// --- cell 21
Show(await NumbersClient.SumAsync(numbers, [-5, 5, 42]));

// ## Stop the server
//
// Run this last: it closes the channel and stops the server.

// --- cell 23
channel.Dispose();
await app.StopAsync();
await app.DisposeAsync();
Console.WriteLine("Server stopped.");

// What a notebook shows as a cell's result: text as it is, a list one item per line.
static void Show(object? value)
{
    if (value is System.Collections.IEnumerable items and not string)
    {
        foreach (var item in items)
        {
            Console.WriteLine(item);
        }
        return;
    }
    Console.WriteLine(value);
}
