using System.Security.Cryptography;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

/// <summary>The server side of chapter 3: two client-streaming methods, each reading many chunks and answering once.</summary>
public class UploaderServiceImpl(UploadStorage storage) : UploaderService.UploaderServiceBase
{
    // Exercise 3.1
    public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        // TODO 3.1: count the chunks the client sends and add up their sizes, then answer with
        //           an UploadSummary of TotalChunks and TotalBytes once the client has completed its
        //           stream. An upload of no chunks at all answers 0 and 0.
        throw new NotImplementedException("TODO 3.1: UploadImage");
    }

    // Exercise 3.2
    public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
    {
        // TODO 3.2: store the uploaded file in storage.Root and answer with its name, size,
        //           SHA-256 (lower-case hex) and number of chunks. The book's chapter 3 gives the recipe:
        //           1. The first chunk names the file. No chunk at all, or a name FileNameRules.Check
        //              rejects: the caller's mistake, and nothing is written.
        //           2. Every chunk's data goes to a temporary file in storage.Root, and through the hash.
        //              storage.CheckSize(size so far) says when an upload passes the server's quota:
        //              stop it then, with the status for "too much", not after the last chunk.
        //           3. Only when the stream has ended does the file get its real name, replacing an
        //              older one: nobody ever sees half a file under the final name.
        //           4. However the upload ends (cancelled, over the quota, an error), no temporary
        //              file is left behind.
        throw new NotImplementedException("TODO 3.2: UploadFile");
    }
}
