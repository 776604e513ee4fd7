using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

/// <summary>The server side of chapter 1: four unary methods over a folder the server owns.</summary>
public class FileServiceImpl(FileStorage storage) : FileService.FileServiceBase
{
    // Exercise 1.1
    // snippet: say-hello
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Name is required."));
        }
        return Task.FromResult(new HelloReply { Message = $"Hello, {request.Name}!" });
    }
    // end snippet

    // Exercise 1.2
    public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context)
    {
        return Task.FromResult(new ServerTimeReply { Time = Timestamp.FromDateTime(DateTime.UtcNow) });
    }

    // Exercise 1.3
    // snippet: write-file
    public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        var problem = FileNameRules.Check(request.FileName);
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
        var path = Path.Combine(storage.Root, request.FileName);
        await File.WriteAllBytesAsync(path, request.Content.ToByteArray(), context.CancellationToken);
        return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
    }
    // end snippet

    // Exercise 1.4
    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        var reply = new ListFilesReply();
        foreach (var file in new DirectoryInfo(storage.Root).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            reply.Files.Add(new FileEntry { Name = file.Name, Size = file.Length });
        }
        return Task.FromResult(reply);
    }
}
