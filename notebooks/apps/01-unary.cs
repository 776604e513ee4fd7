// ../01-unary.ipynb as a file-based app: dotnet run 01-unary.cs (in this folder).
// Made by the notebook runner's --export: change the notebook, then export again.
#:package Google.Protobuf
#:package Grpc.Core.Api
#:package Grpc.Net.Client
#:package Grpc.AspNetCore
#:project ../../solutions/01-unary/Unary.csproj

using System.IO;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Chapter01;
using StreamingTutorial.Protos.Files;

// # Chapter 1: Unary calls, live
//
// This notebook starts the chapter's file service on your machine and calls it, one cell at a
// time. Read a section, run the cell under it, and change things: every cell can be run again.
//
// - **In VS Code**: open this file with the Polyglot Notebooks extension (or in Jupyter with the .NET
//   Interactive kernel, see [`README.md`](README.md)) and run the cells in order
//   (build first: `dotnet build solutions/01-unary`).
// - **From a terminal**: `dotnet run --project tools/NotebookRunner -- notebooks/01-unary.ipynb`
//   runs every cell and prints what each one shows (it builds what is missing).
// - **As a program**, with only the .NET SDK: `dotnet run notebooks/apps/01-unary.cs` runs the same
//   cells as one file-based app.
//
// The lesson is in [`book.md`](../book.md), chapter 1.

// ## Load the chapter
//
// A notebook uses compiled code with `#r`. Building the chapter puts what its program is made of
// in its output folder: the official gRPC packages (Google.Protobuf for the messages, Grpc.Core.Api
// for what client and server share, Grpc.Net.Client for the channel, Grpc.AspNetCore.Server for
// hosting), the C# generated from `protos/files.proto`, and the chapter itself. Loading them
// from there gives the notebook the versions the chapter was built with. The paths are relative
// to this notebook.

// --- cell 3

// ## Start the server
//
// A gRPC server is an ASP.NET Core app with two extra lines: `AddGrpc()` registers the gRPC
// machinery, and `MapGrpcService<FileServiceImpl>()` routes the calls of `FileService` to the
// chapter's class. The server keeps its files in a fresh folder; `FileServiceImpl` gets it from
// dependency injection.
//
// It listens on 127.0.0.1 only, on port 0, which lets the system pick a free port. gRPC runs over
// HTTP/2, and without TLS the server must be told so.

// --- cell 5
var serverFolder = Path.Combine(Path.GetTempPath(), "notebook-01-" + Guid.NewGuid().ToString("N"));

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton(new FileStorage(serverFolder));

var app = builder.Build();
app.MapGrpcService<FileServiceImpl>();
await app.StartAsync();

var address = app.Urls.Single();
Console.WriteLine($"Server listening on {address}");

// ## A channel and a client
//
// A **channel** is the connection to the server: make it once and share it. The generated
// `FileService.FileServiceClient` sits on top of it, with one method per `rpc` in the contract.

// --- cell 7
var channel = GrpcChannel.ForAddress(address);
var client = new FileService.FileServiceClient(channel);

// ## One request, one response
//
// A unary call is one awaited method: the request goes out, the response comes back. The last
// line of a cell, without a semicolon, is shown as the cell's result.

// --- cell 9
var reply = await client.SayHelloAsync(new HelloRequest { Name = "Ada" });
Show(reply.Message);

// > **Try it**: change the name and run the cell again. Then try an empty name, `""`.

// ## Errors are statuses
//
// A server refuses a request by throwing `RpcException` with a status code. The client gets the
// same code and message back, as an `RpcException` of its own.

// --- cell 12
try
{
    await client.SayHelloAsync(new HelloRequest { Name = "" });
}
catch (RpcException ex)
{
    Console.WriteLine($"Refused: {ex.StatusCode}, \"{ex.Status.Detail}\"");
}

// ## Deadlines
//
// A **deadline** says how long the caller will wait. It travels with the request, so the server
// knows too. A deadline that has already passed fails the call at once, with `DeadlineExceeded`.

// --- cell 14
var time = await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
Console.WriteLine($"Server time: {time.Time.ToDateTime():HH:mm:ss.fff} UTC");

try
{
    await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(-1));
}
catch (RpcException ex)
{
    Console.WriteLine($"With a deadline in the past: {ex.StatusCode}");
}

// ## Writing and listing files
//
// `WriteFile` checks the name before it touches the disk: a plain name is stored, a name that
// climbs out of the folder is refused with `InvalidArgument`, and nothing is written.

// --- cell 16
var written = await client.WriteFileAsync(new WriteFileRequest
{
    FileName = "hello.txt",
    Content = ByteString.CopyFromUtf8("Hello from the notebook!"),
});
Console.WriteLine($"Stored {written.FileName}: {written.Size} bytes");

try
{
    await client.WriteFileAsync(new WriteFileRequest { FileName = "../escape.txt", Content = ByteString.CopyFromUtf8("no") });
}
catch (RpcException ex)
{
    Console.WriteLine($"Refused: {ex.StatusCode}, \"{ex.Status.Detail}\"");
}

var listing = await client.ListFilesAsync(new ListFilesRequest());
foreach (var file in listing.Files)
{
    Console.WriteLine($"On the server: {file.Name} ({file.Size} bytes)");
}

// ## The chapter's client code
//
// Exercises 1.5 to 1.7 are the client side: `FileClient` in the chapter's project. Here are the
// reference versions, against the same server.

// --- cell 18
Console.WriteLine(await FileClient.GreetAsync(client, "notebook"));
Console.WriteLine($"Server time: {await FileClient.GetServerTimeAsync(client):HH:mm:ss} UTC");
var names = await FileClient.WriteAndListAsync(client, "notes.txt", "Unary calls: one request, one response.");
Console.WriteLine($"Files on the server: {string.Join(", ", names)}");

// > **Try it with your own code**: build your chapter (`dotnet build chapters/01-unary`), change
// > `solutions/01-unary` to `chapters/01-unary` in the `#r` lines at the top, restart the notebook
// > and run it again. Your server now answers, and your `FileClient` makes the calls. An exercise
// > you have not done yet throws `NotImplementedException`; on the server side the client sees
// > that as `Unknown`. (The runner: `--build` rebuilds what the `#r` lines point into.)

// ## Playground
//
// The server and the client are still up. Call anything: `SayHelloAsync`, `GetServerTimeAsync`,
// `WriteFileAsync`, `ListFilesAsync`, with or without a deadline. A reply shown as a result
// is shown field by field.

// --- cell 21
Show(await client.ListFilesAsync(new ListFilesRequest()));

// ## Stop the server
//
// Run this last: it closes the channel, stops the server and removes its folder.

// --- cell 23
channel.Dispose();
await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(serverFolder, recursive: true);
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
