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
    public static Task<UploadSummary> UploadRandomChunksAsync(UploaderService.UploaderServiceClient client, int count, int chunkSize)
    {
        // TODO 3.3: start an UploadImage call with a deadline 10 seconds from now
        //           (client.UploadImage(deadline: DateTime.UtcNow.AddSeconds(10))), write `count`
        //           chunks of `chunkSize` random bytes to call.RequestStream (printing
        //           "Sent chunk #i (n bytes)" after each, for the demo), complete the request stream,
        //           and return the server's summary (await call.ResponseAsync).
        throw new NotImplementedException("TODO 3.3: UploadRandomChunksAsync");
    }

    // Exercise 3.4
    public static Task<FileUploadSummary> UploadFileAsync(UploaderService.UploaderServiceClient client, string path, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        // TODO 3.4: upload the file at `path` with an UploadFile call, in chunks of FileChunkSize
        //           bytes (the last one may be smaller). The first chunk carries the file's name
        //           (Path.GetFileName(path)); the others carry only data. An empty file is still sent
        //           as one chunk: the name, with no data.
        //           After writing each chunk, report the number of bytes sent so far:
        //           progress?.Report(sent). Then complete the request stream and return the
        //           server's summary.
        //           A big file takes a while: pass cancellationToken to the call (and to the file
        //           reads), so cancelling it (Ctrl+C in the demo) stops the upload at once.
        throw new NotImplementedException("TODO 3.4: UploadFileAsync");
    }
}
