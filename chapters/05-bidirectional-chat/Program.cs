using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter05;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Chat;

// The chapter's demo: `dotnet run -- server` in one terminal, `dotnet run -- client [--name alice]` in two or more others.
return await Demo.RunAsync(args, new DemoApp
{
    Title = "Chapter 5, bidirectional streaming: a chat room",
    Command = "dotnet run --project chapters/05-bidirectional-chat",
    // One room for the whole server: every member's call shares it.
    ConfigureServer = (services, options) => services.AddSingleton(new ChatRoom()),
    MapServer = app => app.MapGrpcService<ChatServiceImpl>(),
    RunClient = (channel, options, cancellationToken) =>
        ChatConsole.RunAsync(new ChatService.ChatServiceClient(channel),
            options.GetText("name", ChatConsole.DefaultName, ChatRoom.MaxNameLength), cancellationToken),
});
