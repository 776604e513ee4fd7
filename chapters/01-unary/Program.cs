using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter01;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Files;

// The chapter's demo: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
return await Demo.RunAsync(args, new DemoApp
{
    Title = "Chapter 1, unary calls",
    Command = "dotnet run --project chapters/01-unary",
    ConfigureServer = (services, options) => services.AddSingleton(new FileStorage(options.Get("folder", "server-files"))),
    MapServer = app => app.MapGrpcService<FileServiceImpl>(),
    RunClient = async (channel, options, cancellationToken) =>
    {
        var client = new FileService.FileServiceClient(channel);
        Console.WriteLine(await FileClient.GreetAsync(client, options.Get("name", "learner")));
        Console.WriteLine($"Server time: {await FileClient.GetServerTimeAsync(client):yyyy-MM-dd HH:mm:ss} UTC");
        var files = await FileClient.WriteAndListAsync(client, "hello.txt", "Hello from chapter 1!");
        Console.WriteLine($"Files on the server: {string.Join(", ", files)}");
    },
});
