using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

/// <summary>The client side of chapter 3: one client-streaming call per method.</summary>
public static class UploaderClient
{
    /// <summary>1 MiB: the size of every chunk UploadFileAsync sends, except the last.</summary>
    public const int FileChunkSize = 1024 * 1024;

    // Exercise 3.3
    // snippet: upload-random-chunks
    public static async Task<UploadSummary> UploadRandomChunksAsync(UploaderService.UploaderServiceClient client, int count, int chunkSize)
    {
        // One deadline for the whole call, however many chunks it carries.
        using var call = client.UploadImage(deadline: DateTime.UtcNow.AddSeconds(10));
        for (var i = 1; i <= count; i++)
        {
            var data = new byte[chunkSize];
            Random.Shared.NextBytes(data);
            await call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(data) });
            Console.WriteLine($"Sent chunk #{i} ({chunkSize} bytes)");
        }
        // Tells the server no more chunks will come; only then can it answer.
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
    // end snippet

    // Exercise 3.4
    // snippet: upload-file-client
    public static async Task<FileUploadSummary> UploadFileAsync(UploaderService.UploaderServiceClient client, string path, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        // The token cancels the call: the server sees the upload end unfinished and throws the partial file away.
        using var call = client.UploadFile(cancellationToken: cancellationToken);
        var buffer = new byte[FileChunkSize];
        long sent = 0;
        var chunks = 0;
        int read;
        do
        {
            // ReadAtLeastAsync fills the whole buffer unless the file ends first.
            read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            if (read == 0 && chunks > 0)
            {
                break; // the file ended exactly at a chunk boundary
            }
            var chunk = new FileChunk { Data = ByteString.CopyFrom(buffer, 0, read) };
            if (chunks == 0)
            {
                chunk.FileName = Path.GetFileName(path); // the name travels on the first chunk only
            }
            await call.RequestStream.WriteAsync(chunk);
            chunks++;
            sent += read;
            progress?.Report(sent);
        }
        while (read == buffer.Length);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
    // end snippet
}
