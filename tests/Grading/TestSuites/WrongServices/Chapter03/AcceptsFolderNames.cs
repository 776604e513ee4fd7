// Wrong service: an UploadFile that never checks the file name, so "../x.png" lands outside its folder.
using System.Security.Cryptography;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

public class UploaderServiceImpl
{
    public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The upload is empty: the first chunk must carry the file name."));
        }
        var fileName = requestStream.Current.FileName;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var content = new MemoryStream();
        var chunks = 0;
        do
        {
            var data = requestStream.Current.Data;
            var tooLarge = storage.CheckSize(content.Length + data.Length);
            if (tooLarge is not null)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, tooLarge));
            }
            content.Write(data.Span);
            sha256.AppendData(data.Span);
            chunks++;
        }
        while (await requestStream.MoveNext(token));
        await File.WriteAllBytesAsync(Path.Combine(storage.Root, fileName), content.ToArray(), token);
        return new FileUploadSummary { FileName = fileName, Size = content.Length, Sha256 = Convert.ToHexStringLower(sha256.GetHashAndReset()), TotalChunks = chunks };
    }
}
