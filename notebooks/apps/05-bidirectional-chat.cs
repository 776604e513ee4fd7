// ../05-bidirectional-chat.ipynb as a file-based app: dotnet run 05-bidirectional-chat.cs (in this folder).
// Made by the notebook runner's --export: change the notebook, then export again.
#:package Google.Protobuf
#:package Grpc.Core.Api
#:package Grpc.Net.Client
#:package Grpc.AspNetCore
#:project ../../solutions/05-bidirectional-chat/ChatRoom.csproj

using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;

// # Chapter 5: Bidirectional streaming, a chat room, live
//
// This notebook starts the chapter's chat room on your machine and lets two members chat in it, each on a call of its own, both ways at once. Read a section, run the cell under it, and change things: every cell can be run again.
//
// - **In VS Code**: open this file with the Polyglot Notebooks extension (or in Jupyter with the .NET
//   Interactive kernel, see [`README.md`](README.md)) and run the cells in order
//   (build first: `dotnet build solutions/05-bidirectional-chat`).
// - **From a terminal**: `dotnet run --project tools/NotebookRunner -- notebooks/05-bidirectional-chat.ipynb`
//   runs every cell and prints what each one shows (it builds what is missing).
// - **As a program**, with only the .NET SDK: `dotnet run notebooks/apps/05-bidirectional-chat.cs` runs the same
//   cells as one file-based app.
//
// The lesson is in [`book.md`](../book.md), chapter 5.

// ## Load the chapter
//
// A notebook uses compiled code with `#r`. Building the chapter puts what its program is made of
// in its output folder: the official gRPC packages (Google.Protobuf for the messages, Grpc.Core.Api
// for what client and server share, Grpc.Net.Client for the channel, Grpc.AspNetCore.Server for
// hosting), the C# generated from `protos/chat.proto`, and the chapter itself. Loading them
// from there gives the notebook the versions the chapter was built with. The paths are relative
// to this notebook.

// --- cell 3

// ## Start the server
//
// A gRPC server is an ASP.NET Core app with two extra lines: `AddGrpc()` registers the gRPC
// machinery, and `MapGrpcService<T>()` routes a service's calls to the chapter's class. Every member's call runs its own `ChatServiceImpl`, so the room they share is one `ChatRoom`, registered once.
//
// It listens on 127.0.0.1 only, on port 0, which lets the system pick a free port. gRPC runs over
// HTTP/2, and without TLS the server must be told so.

// --- cell 5
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton(new ChatRoom());
var app = builder.Build();
app.MapGrpcService<ChatServiceImpl>();
await app.StartAsync();

var address = app.Urls.Single();
Console.WriteLine($"Server listening on {address}");

// ## A channel and a client

// --- cell 7
var channel = GrpcChannel.ForAddress(address);
var chat = new ChatService.ChatServiceClient(channel);

// ## A call that streams both ways
//
// `JoinChat` is bidirectional: the call has a `RequestStream` the member writes to, and a
// `ResponseStream` it reads from, and the two run at the same time. So each member gets a loop
// that reads its response stream in the background while the cells send.
//
// A notebook shows what a cell prints only while that cell runs: a line printed later by a loop
// started in an earlier cell is lost (Polyglot Notebooks and Jupyter both work this way). So the
// loop only keeps what arrives, and `Next` takes the next message off a member's screen, prints it
// in the cell that is running, and waits at most 10 seconds for it. A cell ends once everyone has
// seen what it sent.

// --- cell 9

Member Join(string screen)
{
    var call = chat.JoinChat();
    var arrived = Channel.CreateUnbounded<ChatMessage>();
    // Keeps what arrives; Next prints it, in the cell that waits for it.
    var receiving = Task.Run(async () =>
    {
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            arrived.Writer.TryWrite(message);
        }
        arrived.Writer.TryComplete();
    });
    return new Member(screen, call, arrived.Reader, receiving);
}

async Task<ChatMessage> Next(Member member)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    try
    {
        if (await member.Arrived.WaitToReadAsync(timeout.Token) && member.Arrived.TryRead(out var message))
        {
            Console.WriteLine($"{member.Screen} {ChatClient.FormatLine(message)}");
            return message;
        }
    }
    catch (OperationCanceledException)
    {
        throw new TimeoutException($"{member.Screen}: no message arrived within 10 s.");
    }
    throw new InvalidOperationException($"{member.Screen}: the call has ended, no more messages will come.");
}

// ## Two members join
//
// The room names members in the order they join, `Client(1)`, `Client(2)`, and tells everyone,
// the newcomer included: the first message a member gets is its own join notice.

// --- cell 11
var one = Join("[screen 1]");
await Next(one);

var two = Join("[screen 2]");
await Next(one);
await Next(two);

// ## Two members chatting
//
// A member sends by writing to its request stream; the server stamps the message with the
// member's name and the time, and broadcasts it to everyone in the room, the sender included.

// --- cell 13
// Client(1) says hello, Client(2) answers.
await one.Call.RequestStream.WriteAsync(new ChatMessage { Text = "Hello, is anyone here?" });
await Next(one);
await Next(two);

await two.Call.RequestStream.WriteAsync(new ChatMessage { Text = "Hi! Client(2) here." });
await Next(one);
await Next(two);

// ## Both at once
//
// Both members may write at the same moment. The room puts each message in every member's outbox
// under one lock, so both screens show the two messages in the same order, whichever it is.

// --- cell 15
// Two messages sent at the same time.
await Task.WhenAll(
    one.Call.RequestStream.WriteAsync(new ChatMessage { Text = "I'll bring the coffee." }),
    two.Call.RequestStream.WriteAsync(new ChatMessage { Text = "I'll bring the cake." }));
var screen1 = new[] { await Next(one), await Next(one) };
var screen2 = new[] { await Next(two), await Next(two) };
Console.WriteLine($"The same order on both screens: {screen1.SequenceEqual(screen2)}");

// > **Try it**: send a message of 5,000 characters, `new string('x', 5000)`. The room accepts at most
// > 4,096: that member's call ends with `InvalidArgument`, and the others see it leave.

// ## Leaving
//
// A member leaves by completing its request stream. The server sees the end of the stream, tells
// the others, and ends that member's call with OK.

// --- cell 18
// Client(2) leaves; Client(1) is told.
await two.Call.RequestStream.CompleteAsync();
await two.Receiving;
await Next(one);
Console.WriteLine($"Client(2)'s call ended with {two.Call.GetStatus().StatusCode}.");

// ## The chapter's client code
//
// Exercises 5.4 and 5.5 are the client side: `ChatClient.FormatLine`, which every screen above
// uses, and `ChatClient.ChatAsync`, which joins, sends lines as they come, prints what arrives at
// the same time, and leaves at `exit`. Here a third member says one line through it.

// --- cell 20
// Lines as they come: here from a list, in the chat demo from the keyboard.
async IAsyncEnumerable<string> Say(params string[] lines)
{
    foreach (var line in lines)
    {
        await Task.Yield();
        yield return line;
    }
}

await ChatClient.ChatAsync(chat, Say("Hello from ChatAsync!", "exit"),
    message => Console.WriteLine($"[screen 3] {ChatClient.FormatLine(message)}"));
// Client(1) saw Client(3) join, speak and leave.
for (var i = 0; i < 3; i++)
{
    await Next(one);
}

// > **Try it with your own code**: build your chapter (`dotnet build chapters/05-bidirectional-chat`), change
// > `solutions/05-bidirectional-chat` to `chapters/05-bidirectional-chat` in the `#r` lines at the top, restart the notebook
// > and run it again. Your server now answers, and your client code makes the calls. An exercise
// > you have not done yet throws `NotImplementedException`; on the server side the client sees
// > that as `Unknown`. (The runner: `--build` rebuilds what the `#r` lines point into.)

// ## Playground
//
// `Client(1)` is still in the room. Send it more lines, let a new member join with `Join("[screen 4]")`,
// or leave with `CompleteAsync()`. `Next` prints the message it waited for and shows it as the cell's result, field by field.

// --- cell 23
await one.Call.RequestStream.WriteAsync(new ChatMessage { Text = "Is anyone still here?" });
Show(await Next(one));

// ## Stop the server
//
// Run this last: the last member leaves, then the channel closes and the server stops.

// --- cell 25
await one.Call.RequestStream.CompleteAsync();
await one.Receiving;
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

// One member: its call, its screen, and the messages that have arrived on it.
record Member(string Screen, AsyncDuplexStreamingCall<ChatMessage, ChatMessage> Call, ChannelReader<ChatMessage> Arrived, Task Receiving);
