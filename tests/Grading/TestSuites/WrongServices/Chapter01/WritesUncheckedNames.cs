// Wrong service: a WriteFile that never checks the name, so "../x" lands outside its folder.
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

public class FileServiceImpl
{
    public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        var path = Path.Combine(storage.Root, request.FileName);
        await File.WriteAllBytesAsync(path, request.Content.ToByteArray(), context.CancellationToken);
        return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
    }
}
