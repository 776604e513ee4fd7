using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01.Tests;

/// <summary>A weak suite: it calls every method and checks nothing, so every test passes on every service.</summary>
public class FileServiceTests
{
    private static ServerCallContext Context() =>
        TestServerCallContext.Create("/files.FileService/Test", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });

    [Test]
    public async Task Every_method_runs()
    {
        var service = new FileServiceImpl(new FileStorage(Path.Combine(Path.GetTempPath(), "weak-" + Guid.NewGuid().ToString("N"))));
        await service.SayHello(new HelloRequest { Name = "Ada" }, Context());
        await service.WriteFile(new WriteFileRequest { FileName = "a.txt", Content = ByteString.CopyFromUtf8("a") }, Context());
        await service.ListFiles(new ListFilesRequest(), Context());
    }
}
