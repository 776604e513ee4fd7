using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamingTutorial.Chapter03;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Uploader;

// Chapter 3's program: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// `dotnet run -- client --file <path>` also uploads that file; the server keeps it in ./uploads (or --folder).
// Ctrl+C stops an upload in progress (exit code 130); the server throws the partial file away.
// `demo` uploads a file with a progress bar and checks what the server stored (what the workbook's `demo 3` runs):
// --file <path>, or by default 128 MiB of random bytes (64 KiB with --wire).
var program = new DemoProgram(args, "Chapter 3, client streaming: an image uploader", "dotnet run --project chapters/03-client-streaming-uploader");
return program.Mode switch
{
    "server" => await program.ServeAsync(ServeAsync),
    "client" => await program.CallAsync(CallAsync),
    "demo" => await program.CallAsync((channel, options, stop) => UploadDemo.RunAsync(Upload(channel), options, stop)),
    _ => program.PrintUsage(),
};

// The server: the hosting lines of any gRPC service on ASP.NET Core, plus two calls for the workbook's extras.
static async Task ServeAsync(DemoOptions options)
{
    var builder = WebApplication.CreateBuilder();
    builder.WebHost.ConfigureKestrel(kestrel =>
        kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    builder.Services.AddSingleton(new UploadStorage(options.Get("folder", "uploads")));
    builder.AddDemoTools(options);

    var app = builder.Build();
    app.MapGrpcService<UploaderServiceImpl>();
    app.MapDemoTools();
    await app.RunAsync();
}

// The client: your UploaderClient's calls.
static async Task CallAsync(CallInvoker channel, DemoOptions options, CancellationToken cancellationToken)
{
    var client = new UploaderService.UploaderServiceClient(channel);
    // Options are checked before anything is sent.
    var path = options.Has("file") ? options.Get("file", "") : null;
    if (path is not null && !File.Exists(path))
    {
        throw new DemoOptionException($"No file at '{path}': give --file the path of a file to upload.");
    }

    const int Count = 5;
    const int ChunkSize = 1024;
    Console.WriteLine($"Streaming {Count} random chunks of {ChunkSize} bytes...");
    var summary = await UploaderClient.UploadRandomChunksAsync(client, Count, ChunkSize);
    Console.WriteLine();
    Console.WriteLine("The server's summary:");
    Console.WriteLine($"  chunks received: {summary.TotalChunks} (we sent {Count})");
    Console.WriteLine($"  bytes received:  {summary.TotalBytes} (we sent {Count * ChunkSize})");

    if (path is not null)
    {
        Console.WriteLine();
        try
        {
            await UploadDemo.UploadWithBarAsync(Upload(channel), path, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            // A server written from the seed's contract has UploadImage only.
            Console.WriteLine($"This server has no UploadFile (only the workbook's server does): the file upload is skipped. ({ex.Status.Detail})");
        }
    }
}

// A file upload: your UploadFileAsync, reporting its progress to the given progress bar.
static Func<string, IProgress<long>, CancellationToken, Task<FileUploadSummary>> Upload(CallInvoker channel) => (path, progress, cancellationToken) =>
    UploaderClient.UploadFileAsync(new UploaderService.UploaderServiceClient(channel), path, progress, cancellationToken);
