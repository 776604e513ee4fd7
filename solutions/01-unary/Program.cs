using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamingTutorial.Chapter01;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Files;

// Chapter 1's program: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// `demo` is the client too: what the workbook's `demo 1` runs against the server it started.
var program = new DemoProgram(args, "Chapter 1, unary calls", "dotnet run --project chapters/01-unary");
return program.Mode switch
{
    "server" => await program.ServeAsync(ServeAsync),
    "client" or "demo" => await program.CallAsync(CallAsync),
    _ => program.PrintUsage(),
};

// The server: the hosting lines of any gRPC service on ASP.NET Core, plus two calls (marked) for the workbook's extras.
static async Task ServeAsync(DemoOptions options)
{
    var builder = WebApplication.CreateBuilder();
    // gRPC needs HTTP/2; without TLS, Kestrel must be told to speak only that.
    builder.WebHost.ConfigureKestrel(kestrel =>
        kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    builder.Services.AddSingleton(new FileStorage(options.Get("folder", "server-files")));
    builder.AddDemoTools(options); // extras: --wire, --metrics, reflection, health, quiet logs, a short shutdown

    var app = builder.Build();
    app.MapGrpcService<FileServiceImpl>();
    app.MapDemoTools(); // extras: their endpoints, and the "listening on" line once the server listens
    await app.RunAsync();
}

// The client: your FileClient's calls over the channel the program made to --host and --port.
static async Task CallAsync(CallInvoker channel, DemoOptions options, CancellationToken cancellationToken)
{
    var client = new FileService.FileServiceClient(channel);
    Console.WriteLine(await FileClient.GreetAsync(client, options.Get("name", "learner")));
    Console.WriteLine($"Server time: {await FileClient.GetServerTimeAsync(client):yyyy-MM-dd HH:mm:ss} UTC");
    var files = await FileClient.WriteAndListAsync(client, "hello.txt", "Hello from chapter 1!");
    Console.WriteLine($"Files on the server: {string.Join(", ", files)}");
}
