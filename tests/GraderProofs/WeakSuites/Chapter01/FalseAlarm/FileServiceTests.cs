using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01.Tests;

/// <summary>A wrong suite: it expects a greeting without the comma, so it fails on the correct service too.</summary>
public class FileServiceTests
{
    [Test]
    public async Task SayHello_greets_by_name()
    {
        var context = TestServerCallContext.Create("/files.FileService/SayHello", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });
        var service = new FileServiceImpl(new FileStorage(Path.Combine(Path.GetTempPath(), "false-alarm-" + Guid.NewGuid().ToString("N"))));

        var reply = await service.SayHello(new HelloRequest { Name = "Ada" }, context);

        Assert.That(reply.Message, Is.EqualTo("Hello Ada!"));
    }
}
