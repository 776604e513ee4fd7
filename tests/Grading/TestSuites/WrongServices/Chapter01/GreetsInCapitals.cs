// Wrong client: a GreetAsync that sends the name in capitals.
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

public static class FileClient
{
    public static async Task<string> GreetAsync(FileService.FileServiceClient client, string name)
    {
        var reply = await client.SayHelloAsync(new HelloRequest { Name = name.ToUpperInvariant() });
        return reply.Message;
    }
}
