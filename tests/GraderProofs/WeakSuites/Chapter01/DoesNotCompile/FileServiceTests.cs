using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01.Tests;

/// <summary>A broken suite: it calls a method the service does not have.</summary>
public class FileServiceTests
{
    [Test]
    public async Task SayHello_greets_by_name()
    {
        var reply = await new FileServiceImpl(new FileStorage("x")).Greet(new HelloRequest { Name = "Ada" });

        Assert.That(reply.Message, Is.EqualTo("Hello, Ada!"));
    }
}
