// Wrong service: an UploadFile that leaves a half-written file behind when the upload is too large.
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
        var problem = FileNameRules.Check(fileName);
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var chunks = 0;
        await using var file = new FileStream(Path.Combine(storage.Root, fileName), FileMode.Create, FileAccess.Write);
        do
        {
            var data = requestStream.Current.Data;
            size += data.Length;
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
        return new FileUploadSummary { FileName = fileName, Size = size, Sha256 = Convert.ToHexStringLower(sha256.GetHashAndReset()), TotalChunks = chunks };
    }
}
