using System.Security.Cryptography;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

/// <summary>The server side of chapter 3: two client-streaming methods, each reading many chunks and answering once.</summary>
public class UploaderServiceImpl(UploadStorage storage) : UploaderService.UploaderServiceBase
{
    // Exercise 3.1
    // snippet: upload-image
    public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        var summary = new UploadSummary();
        // The loop ends when the client completes its request stream.
        await foreach (var chunk in requestStream.ReadAllAsync())
        {
            summary.TotalChunks++;
            summary.TotalBytes += chunk.Data.Length;
        }
        return summary;
    }
    // end snippet

    // Exercise 3.2
    // snippet: upload-file
    public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        // The first chunk names the file: check the name before anything touches the disk.
        if (!await requestStream.MoveNext(token))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The upload is empty: the first chunk must carry the file name."));
        }
        var fileName = requestStream.Current.FileName;
        var problem = FileNameRules.Check(fileName);
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }

        // Chunks go to a temporary file in the same folder; only a complete upload is renamed into place.
        var tempPath = Path.Combine(storage.Root, $".{Guid.NewGuid():N}.uploading");
        try
        {
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            var chunks = 0;
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 4096, useAsync: true))
            {
                do
                {
                    var data = requestStream.Current.Data;
                    size += data.Length;
                    // Over the quota: stop before the disk fills up. The finally block removes what was written.
                    var tooLarge = storage.CheckSize(size);
                    if (tooLarge is not null)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, tooLarge));
                    }
                    await file.WriteAsync(data.Memory, token);
                    sha256.AppendData(data.Span);
                    chunks++;
                }
                while (await requestStream.MoveNext(token));
            }
            File.Move(tempPath, Path.Combine(storage.Root, fileName), overwrite: true);
            return new FileUploadSummary
            {
                FileName = fileName,
                Size = size,
                Sha256 = Convert.ToHexStringLower(sha256.GetHashAndReset()),
                TotalChunks = chunks,
            };
        }
        finally
        {
            // After the move there is nothing here; after a cancellation or an error this removes the partial upload.
            File.Delete(tempPath);
        }
    }
    // end snippet
}
