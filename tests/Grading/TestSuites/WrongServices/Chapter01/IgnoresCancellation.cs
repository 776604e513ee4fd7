// Wrong service: a WriteFile that goes on writing after the caller has cancelled the call.
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

public class FileServiceImpl
{
    public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        var problem = FileNameRules.Check(request.FileName);
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
        var path = Path.Combine(storage.Root, request.FileName);
        await File.WriteAllBytesAsync(path, request.Content.ToByteArray());
        return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
    }
}
