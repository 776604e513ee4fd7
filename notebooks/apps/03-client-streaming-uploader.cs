// ../03-client-streaming-uploader.ipynb as a file-based app: dotnet run 03-client-streaming-uploader.cs (in this folder).
// Made by the notebook runner's --export: change the notebook, then export again.
#:package Google.Protobuf
#:package Grpc.Core.Api
#:package Grpc.Net.Client
#:package Grpc.AspNetCore
#:project ../../solutions/03-client-streaming-uploader/Uploader.csproj

using System.Diagnostics;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Threading;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Protos.Uploader;

// # Chapter 3: Client streaming, an uploader, live
//
// This notebook starts the chapter's uploader on your machine and streams chunks to it, watching the upload progress as it goes. Read a section, run the cell under it, and change things: every cell can be run again.
//
// - **In VS Code**: open this file with the Polyglot Notebooks extension (or in Jupyter with the .NET
//   Interactive kernel, see [`README.md`](README.md)) and run the cells in order
//   (build first: `dotnet build solutions/03-client-streaming-uploader`).
// - **From a terminal**: `dotnet run --project tools/NotebookRunner -- notebooks/03-client-streaming-uploader.ipynb`
//   runs every cell and prints what each one shows (it builds what is missing).
// - **As a program**, with only the .NET SDK: `dotnet run notebooks/apps/03-client-streaming-uploader.cs` runs the same
//   cells as one file-based app.
//
// The lesson is in [`book.md`](../book.md), chapter 3.

// ## Load the chapter
//
// A notebook uses compiled code with `#r`. Building the chapter puts what its program is made of
// in its output folder: the official gRPC packages (Google.Protobuf for the messages, Grpc.Core.Api
// for what client and server share, Grpc.Net.Client for the channel, Grpc.AspNetCore.Server for
// hosting), the C# generated from `protos/uploader.proto`, and the chapter itself. Loading them
// from there gives the notebook the versions the chapter was built with. The paths are relative
// to this notebook.

// --- cell 3

// ## Start the server
//
// A gRPC server is an ASP.NET Core app with two extra lines: `AddGrpc()` registers the gRPC
// machinery, and `MapGrpcService<T>()` routes a service's calls to the chapter's class. The server keeps uploads in a fresh folder; `UploaderServiceImpl` gets it from dependency injection.
//
// It listens on 127.0.0.1 only, on port 0, which lets the system pick a free port. gRPC runs over
// HTTP/2, and without TLS the server must be told so.

// --- cell 5
var uploadFolder = Path.Combine(Path.GetTempPath(), "notebook-03-uploads-" + Guid.NewGuid().ToString("N"));

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton(new UploadStorage(uploadFolder));
var app = builder.Build();
app.MapGrpcService<UploaderServiceImpl>();
await app.StartAsync();

var address = app.Urls.Single();
Console.WriteLine($"Server listening on {address}");

// ## A channel and a client

// --- cell 7
var channel = GrpcChannel.ForAddress(address);
var uploader = new UploaderService.UploaderServiceClient(channel);

// ## Many requests, one response
//
// A client-streaming call returns a call object at once. The client writes messages to its
// `RequestStream`, one at a time, then calls `CompleteAsync()` to say "that was the last one".
// Only then can the server answer, and `ResponseAsync` completes with its one reply.

// --- cell 9
// Five chunks of 1 KiB, then the server's summary.
using (var call = uploader.UploadImage())
{
    for (var i = 1; i <= 5; i++)
    {
        await call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(1024)) });
        Console.WriteLine($"Sent chunk #{i}");
    }
    await call.RequestStream.CompleteAsync();
    var summary = await call.ResponseAsync;
    Console.WriteLine($"The server counted {summary.TotalChunks} chunks, {summary.TotalBytes} bytes.");
}

// > **Try it**: leave out `CompleteAsync()` and give the call a deadline,
// > `uploader.UploadImage(deadline: DateTime.UtcNow.AddSeconds(2))`. The server keeps waiting for
// > more chunks, and the call ends with `DeadlineExceeded`.

// ## Upload progress
//
// `UploadFileAsync` (exercise 3.4) reads a file in 1 MiB chunks and streams them; the file's name
// travels on the first chunk only. After each chunk it reports how many bytes have gone, so a
// program can show progress while the upload runs. The server writes the chunks to a temporary
// file, and renames it into place only when the upload is complete.

// --- cell 12
// A file of 2.5 MiB, to upload in three chunks.
var clientFolder = Path.Combine(Path.GetTempPath(), "notebook-03-client-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(clientFolder);
var photo = Path.Combine(clientFolder, "photo.bin");
File.WriteAllBytes(photo, RandomNumberGenerator.GetBytes(5 * 512 * 1024));

var upload = await UploaderClient.UploadFileAsync(uploader, photo, new PrintProgress(new FileInfo(photo).Length));
Console.WriteLine($"Stored as '{upload.FileName}': {upload.Size} bytes in {upload.TotalChunks} chunks");
Console.WriteLine($"The server's SHA-256 matches the file's: {upload.Sha256 == Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(photo)))}");

// ## The name is checked first
//
// The server reads the first chunk, checks the name, and only then touches the disk. A name that
// climbs out of its folder is refused with `InvalidArgument`, and nothing is left behind.

// --- cell 14
// A first chunk whose name leaves the server's folder.
try
{
    using var call = uploader.UploadFile();
    await call.RequestStream.WriteAsync(new FileChunk { FileName = "../escape.bin", Data = ByteString.CopyFromUtf8("no") });
    await call.RequestStream.CompleteAsync();
    await call.ResponseAsync;
}
catch (RpcException ex)
{
    Console.WriteLine($"Refused: {ex.StatusCode}, \"{ex.Status.Detail}\"");
}
Console.WriteLine($"In the server's folder: {string.Join(", ", Directory.GetFiles(uploadFolder).Select(Path.GetFileName))}");

// ## The chapter's client code
//
// Exercise 3.3 streams random chunks with `UploaderClient.UploadRandomChunksAsync`, which prints a
// line per chunk sent; here is the reference version, against the same server.

// --- cell 16
var chunks = await UploaderClient.UploadRandomChunksAsync(uploader, count: 3, chunkSize: 512);
Console.WriteLine($"UploadRandomChunksAsync: the server counted {chunks.TotalChunks} chunks, {chunks.TotalBytes} bytes.");

// > **Try it with your own code**: build your chapter (`dotnet build chapters/03-client-streaming-uploader`), change
// > `solutions/03-client-streaming-uploader` to `chapters/03-client-streaming-uploader` in the `#r` lines at the top, restart the notebook
// > and run it again. Your server now answers, and your client code makes the calls. An exercise
// > you have not done yet throws `NotImplementedException`; on the server side the client sees
// > that as `Unknown`. (The runner: `--build` rebuilds what the `#r` lines point into.)

// ## Playground
//
// The server and the client are still up. Upload a file of your own with
// `UploaderClient.UploadFileAsync(uploader, path, new PrintProgress(...))`, or try a chunk size
// that changes the count. A reply shown as a result is shown field by field.

// --- cell 19
Show(await UploaderClient.UploadRandomChunksAsync(uploader, count: 2, chunkSize: 100));

// ## Stop the server
//
// Run this last: it closes the channel, stops the server and removes both folders.

// --- cell 21
channel.Dispose();
await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(uploadFolder, recursive: true);
Directory.Delete(clientFolder, recursive: true);
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

// Reports arrive one per chunk, in order, on the uploading thread.
class PrintProgress(long total) : IProgress<long>
{
    public void Report(long sent) => Console.WriteLine($"  {sent,9} of {total} bytes sent ({100.0 * sent / total:0}%)");
}
