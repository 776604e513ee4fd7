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
    public static async Task<UploadSummary> UploadRandomChunksAsync(UploaderService.UploaderServiceClient client, int count, int chunkSize)
    {
        // TODO 3.3: upload `count` chunks of `chunkSize` random bytes in one UploadImage call,
        //           giving the whole upload 10 seconds, printing "Sent chunk #i (n bytes)" after each
        //           (for the demo). Return the server's summary.
        throw new NotImplementedException("TODO 3.3: UploadRandomChunksAsync");
    }

    // Exercise 3.4
    public static async Task<FileUploadSummary> UploadFileAsync(UploaderService.UploaderServiceClient client, string path, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        // TODO 3.4: upload the file at `path` in one UploadFile call, in chunks of FileChunkSize
        //           bytes (the last one may be smaller). The first chunk carries the file's name
        //           (without its folder); the others carry only data. An empty file is still one chunk.
        //           After each chunk, report to `progress` the number of bytes sent so far.
        //           Return the server's summary.
        //           A big file takes a while: cancelling `cancellationToken` (Ctrl+C in the demo)
        //           must stop the upload at once.
        throw new NotImplementedException("TODO 3.4: UploadFileAsync");
    }
}
