// ../02-server-streaming.ipynb as a file-based app: dotnet run 02-server-streaming.cs (in this folder).
// Made by the notebook runner's --export: change the notebook, then export again.
#:package Google.Protobuf
#:package Grpc.Core.Api
#:package Grpc.Net.Client
#:package Grpc.AspNetCore
#:project ../../solutions/02-server-streaming/ServerStreaming.csproj

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
using StreamingTutorial.Chapter02;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

// # Chapter 2: Server streaming, live
//
// This notebook starts the chapter's two streaming services on your machine and follows their streams as the messages arrive. Read a section, run the cell under it, and change things: every cell can be run again.
//
// - **In VS Code**: open this file with the Polyglot Notebooks extension (or in Jupyter with the .NET
//   Interactive kernel, see [`README.md`](README.md)) and run the cells in order
//   (build first: `dotnet build solutions/02-server-streaming`).
// - **From a terminal**: `dotnet run --project tools/NotebookRunner -- notebooks/02-server-streaming.ipynb`
//   runs every cell and prints what each one shows (it builds what is missing).
// - **As a program**, with only the .NET SDK: `dotnet run notebooks/apps/02-server-streaming.cs` runs the same
//   cells as one file-based app.
//
// The lesson is in [`book.md`](../book.md), chapter 2.

// ## Load the chapter
//
// A notebook uses compiled code with `#r`. Building the chapter puts what its program is made of
// in its output folder: the official gRPC packages (Google.Protobuf for the messages, Grpc.Core.Api
// for what client and server share, Grpc.Net.Client for the channel, Grpc.AspNetCore.Server for
// hosting), the C# generated from `protos/time_updates.proto` and `protos/random_numbers.proto`, and the chapter itself. Loading them
// from there gives the notebook the versions the chapter was built with. The paths are relative
// to this notebook.

// --- cell 3

// ## Start the server
//
// A gRPC server is an ASP.NET Core app with two extra lines: `AddGrpc()` registers the gRPC
// machinery, and `MapGrpcService<T>()` routes a service's calls to the chapter's class. Two services share this server: the clock and the random numbers.
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
app.MapGrpcService<StreamingServiceImpl>();
app.MapGrpcService<RandomServiceImpl>();
await app.StartAsync();

var address = app.Urls.Single();
Console.WriteLine($"Server listening on {address}");

// ## A channel and two clients
//
// One channel, and one generated client per service on top of it.

// --- cell 7
var channel = GrpcChannel.ForAddress(address);
var clock = new StreamingService.StreamingServiceClient(channel);
var random = new RandomService.RandomServiceClient(channel);

// ## One request, many responses
//
// A server-streaming call is not awaited: it returns a call object at once, and the messages are
// read from its `ResponseStream` as they come. Watch the times: each update is printed the moment
// it arrives, not when the stream ends. The time stream never ends by itself; the client stops it.
// Leaving the `using` block disposes the call, and disposing a running call cancels it.

// --- cell 9
// Five time updates, 200 ms apart, each printed as it arrives.
var watch = Stopwatch.StartNew();
using (var call = clock.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 200 }))
{
    await foreach (var update in call.ResponseStream.ReadAllAsync())
    {
        Console.WriteLine($"[{update.Sequence}] {update.Time.ToDateTime():HH:mm:ss.fff} UTC, {watch.ElapsedMilliseconds,4} ms after the call began");
        if (update.Sequence == 5)
        {
            break;
        }
    }
}
Console.WriteLine("Received 5 time updates, then stopped the stream.");

// > **Try it**: change `IntervalMs` to 500, or to -1 (the server refuses a negative interval).

// ## Stopping a stream with a token
//
// A cancellation token is the other way to stop: when it fires, the call ends and the pending
// read throws `RpcException` with `StatusCode.Cancelled`. On the server, the call's
// `CancellationToken` fires too, and the handler stops writing.

// --- cell 12
// The same stream, stopped by a token that fires after 700 ms.
var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
var received = 0;
try
{
    using var call = clock.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 200 }, cancellationToken: stop.Token);
    await foreach (var update in call.ResponseStream.ReadAllAsync())
    {
        received++;
        Console.WriteLine($"[{update.Sequence}] {update.Time.ToDateTime():HH:mm:ss.fff} UTC");
    }
}
catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
{
    Console.WriteLine($"Cancelled after {received} updates: {ex.StatusCode}");
}

// ## A stream with an end
//
// The random numbers stream has a known length: the server sends `Count` numbers and returns,
// which ends the stream with status OK, and the client's loop finishes on its own.

// --- cell 14
// Five dice rolls, one every 100 ms; the server ends the stream after the fifth.
using (var call = random.GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 5, IntervalMs = 100 }))
{
    await foreach (var number in call.ResponseStream.ReadAllAsync())
    {
        Console.WriteLine($"#{number.Sequence}: {number.Value}");
    }
    Console.WriteLine($"The server ended the stream with {call.GetStatus().StatusCode}.");
}

// ## A deadline covers the whole stream
//
// A deadline is for the whole call, not for each message. Ask for 50 numbers, one every 100 ms,
// and allow 600 ms: the call ends with `DeadlineExceeded` halfway, and the numbers that arrived
// before are still good.

// --- cell 16
// 50 numbers would take 5 s; the deadline allows 600 ms.
var numbers = new List<int>();
try
{
    using var call = random.GenerateNumbers(new RandomRequest { Min = 1, Max = 100, Count = 50, IntervalMs = 100 },
        deadline: DateTime.UtcNow.AddMilliseconds(600));
    await foreach (var number in call.ResponseStream.ReadAllAsync())
    {
        numbers.Add(number.Value);
        Console.WriteLine($"#{number.Sequence}: {number.Value}");
    }
}
catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
{
    Console.WriteLine($"The deadline passed after {numbers.Count} of 50 numbers.");
}

// ## A bad request fails before the stream starts
//
// The server checks the request before it writes anything, so a wrong request gets a clean
// error and no half-stream. The error surfaces at the first read.

// --- cell 18
// min greater than max.
try
{
    using var call = random.GenerateNumbers(new RandomRequest { Min = 10, Max = 1, Count = 3 });
    await foreach (var number in call.ResponseStream.ReadAllAsync())
    {
        Console.WriteLine($"#{number.Sequence}: {number.Value}");
    }
}
catch (RpcException ex)
{
    Console.WriteLine($"Refused: {ex.StatusCode}, \"{ex.Status.Detail}\"");
}

// ## The chapter's client code
//
// Exercises 2.3 and 2.4 are the client side: `StreamingClient` in the chapter's project. Here are
// the reference versions, against the same server.

// --- cell 20
await StreamingClient.ReadTimeUpdatesAsync(clock, intervalMs: 100, maxUpdates: 3,
    update => Console.WriteLine($"ReadTimeUpdatesAsync: [{update.Sequence}] {update.Time.ToDateTime():HH:mm:ss.fff} UTC"));

var kept = await StreamingClient.ReadNumbersAsync(random,
    new RandomRequest { Min = 1, Max = 100, Count = 20, IntervalMs = 50 }, TimeSpan.FromMilliseconds(300));
Console.WriteLine($"ReadNumbersAsync kept {kept.Count} of 20 numbers: {string.Join(", ", kept.Select(n => n.Value))}");

// > **Try it with your own code**: build your chapter (`dotnet build chapters/02-server-streaming`), change
// > `solutions/02-server-streaming` to `chapters/02-server-streaming` in the `#r` lines at the top, restart the notebook
// > and run it again. Your server now answers, and your client code makes the calls. An exercise
// > you have not done yet throws `NotImplementedException`; on the server side the client sees
// > that as `Unknown`. (The runner: `--build` rebuilds what the `#r` lines point into.)

// ## Playground
//
// The server and the clients are still up. Follow a stream for longer, stop it in other ways,
// or ask for numbers in another range. A reply shown as a result is shown field by field.

// --- cell 23
var rolls = random.GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 3 });
var rolled = new List<RandomNumber>();
await foreach (var number in rolls.ResponseStream.ReadAllAsync())
{
    rolled.Add(number);
}
Show(rolled);

// ## Stop the server
//
// Run this last: it closes the channel and stops the server.

// --- cell 25
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
