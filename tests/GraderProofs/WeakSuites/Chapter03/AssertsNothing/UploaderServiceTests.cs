using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter03.Tests;

/// <summary>A weak suite: it uploads and never looks at the answer.</summary>
public class UploaderServiceTests
{
    [Test]
    public async Task Uploads_run()
    {
        var context = TestServerCallContext.Create("/x/y", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });
        var service = new UploaderServiceImpl(new UploadStorage(Path.Combine(Path.GetTempPath(), "weak-" + Guid.NewGuid().ToString("N"))));
        await service.UploadImage(InMemoryStreamReader.Of(new ImageChunk { Data = ByteString.CopyFromUtf8("abc") }), context);
        await service.UploadFile(InMemoryStreamReader.Of(new FileChunk { FileName = "a.txt", Data = ByteString.CopyFromUtf8("abc") }), context);
    }
}
