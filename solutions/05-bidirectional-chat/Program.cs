using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamingTutorial.Chapter05;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Chat;

// Chapter 5's program: `dotnet run -- server` in one terminal, `dotnet run -- client [--name alice]` in two or more others.
// `server --listen-any` listens on every network interface, for a chat across a classroom.
// `demo` runs two scripted members, alice and bob, in one program (what the workbook's `demo 5` runs).
var program = new DemoProgram(args, "Chapter 5, bidirectional streaming: a chat room", "dotnet run --project chapters/05-bidirectional-chat");
return program.Mode switch
{
    "server" => await program.ServeAsync(ServeAsync),
    "client" => await program.CallAsync((channel, options, stop) =>
    {
        var name = options.GetText("name", ChatConsole.DefaultName(ChatRoom.MaxNameLength), ChatRoom.MaxNameLength);
        return ChatConsole.RunAsync(Chat(channel, name), name, stop);
    }),
    "demo" => await program.CallAsync((channel, options, stop) => ChatDemo.RunAsync(name => Chat(channel, name), stop)),
    _ => program.PrintUsage(),
};

// The server: the hosting lines of any gRPC service on ASP.NET Core, plus two calls for the workbook's extras.
static async Task ServeAsync(DemoOptions options)
{
    var builder = WebApplication.CreateBuilder();
    var address = options.Has("listen-any") ? IPAddress.Any : IPAddress.Loopback;
    builder.WebHost.ConfigureKestrel(kestrel =>
        kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    // One room for the whole server: every member's call shares it.
    builder.Services.AddSingleton(new ChatRoom());
    builder.AddDemoTools(options);

    var app = builder.Build();
    app.MapGrpcService<ChatServiceImpl>();
    app.MapDemoTools();
    await app.RunAsync();
}

// One member's chat: your ChatClient, sending lines and showing what arrives as your FormatLine writes it.
static ChatSession Chat(CallInvoker channel, string name) => (lines, show, cancellationToken) =>
    ChatClient.ChatAsync(new ChatService.ChatServiceClient(channel), lines, message => show(ChatClient.FormatLine(message)), cancellationToken, name);
