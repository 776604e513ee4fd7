using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter03;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Uploader;

// The chapter's demo: `dotnet run -- server` in one terminal, `dotnet run -- client` in another.
// `dotnet run -- client --file <path>` also uploads that file; the server keeps it in ./uploads (or --folder).
return await Demo.RunAsync(args, new DemoApp
{
    Title = "Chapter 3, client streaming: an image uploader",
    Command = "dotnet run --project chapters/03-client-streaming-uploader",
    ConfigureServer = (services, options) => services.AddSingleton(new UploadStorage(options.Get("folder", "uploads"))),
    MapServer = app => app.MapGrpcService<UploaderServiceImpl>(),
    RunClient = async (channel, options, cancellationToken) =>
    {
        var client = new UploaderService.UploaderServiceClient(channel);

        const int Count = 5;
        const int ChunkSize = 1024;
        Console.WriteLine($"Streaming {Count} random chunks of {ChunkSize} bytes...");
        var summary = await UploaderClient.UploadRandomChunksAsync(client, Count, ChunkSize);
        Console.WriteLine();
        Console.WriteLine("The server's summary:");
        Console.WriteLine($"  chunks received: {summary.TotalChunks} (we sent {Count})");
        Console.WriteLine($"  bytes received:  {summary.TotalBytes} (we sent {Count * ChunkSize})");

        if (options.Has("file"))
        {
            var path = options.Get("file", "");
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"No file at '{path}': give --file the path of a file to upload.");
                return;
            }
            Console.WriteLine();
            Console.WriteLine($"Uploading {Path.GetFileName(path)}...");
            var upload = await UploaderClient.UploadFileAsync(client, path, new ProgressBar(new FileInfo(path).Length));
            Console.WriteLine($"Stored as '{upload.FileName}': {upload.Size:N0} bytes in {upload.TotalChunks} chunks");
            Console.WriteLine($"SHA-256: {upload.Sha256}");
        }
    },
});
