using System.Security.Cryptography;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

/// <summary>The server side of chapter 3: two client-streaming methods, each reading many chunks and answering once.</summary>
public class UploaderServiceImpl(UploadStorage storage) : UploaderService.UploaderServiceBase
{
    // Exercise 3.1
    public override Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        // TODO 3.1: read every chunk the client sends with
        //           `await foreach (var chunk in requestStream.ReadAllAsync())`, counting the chunks
        //           and adding up their sizes (chunk.Data.Length). When the loop ends, the client has
        //           completed its stream: answer with an UploadSummary of TotalChunks and TotalBytes.
        //           An upload of no chunks at all answers 0 and 0.
        //           (Make the method `async` to use await.)
        throw new NotImplementedException("TODO 3.1: UploadImage");
    }

    // Exercise 3.2
    public override Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
    {
        // TODO 3.2: store the uploaded file in storage.Root and answer with its name, size,
        //           SHA-256 and number of chunks.
        //           1. Read the first chunk (await requestStream.MoveNext(context.CancellationToken)).
        //              Its FileName names the file. No chunk at all, or a name FileNameRules.Check
        //              rejects: throw an RpcException with StatusCode.InvalidArgument, write nothing.
        //           2. Write the data of that chunk and of every following one to a temporary file
        //              in storage.Root (for example $".{Guid.NewGuid():N}.uploading"), and feed the same
        //              bytes to IncrementalHash.CreateHash(HashAlgorithmName.SHA256).
        //              Before writing a chunk, add its length to the size so far and ask
        //              storage.CheckSize(size): if it returns a problem, the upload is over the
        //              server's quota; throw an RpcException with StatusCode.ResourceExhausted at once.
        //           3. Only when the stream has ended, close the file and rename it into place:
        //              File.Move(tempPath, Path.Combine(storage.Root, fileName), overwrite: true).
        //              So nobody ever sees half a file under the final name.
        //           4. If the client cancels, the quota is passed or anything fails, delete the
        //              temporary file (a finally block): a broken upload leaves nothing behind.
        //           Sha256 is lower-case hex: Convert.ToHexStringLower(hash.GetHashAndReset()).
        throw new NotImplementedException("TODO 3.2: UploadFile");
    }
}
