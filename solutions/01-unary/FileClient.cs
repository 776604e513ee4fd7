using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

/// <summary>The client side of chapter 1: one unary call per method.</summary>
public static class FileClient
{
    // Exercise 1.5
    // snippet: greet
    public static async Task<string> GreetAsync(FileService.FileServiceClient client, string name)
    {
        var reply = await client.SayHelloAsync(new HelloRequest { Name = name });
        return reply.Message;
    }
    // end snippet

    // Exercise 1.6
    // snippet: server-time-with-deadline
    public static async Task<DateTime> GetServerTimeAsync(FileService.FileServiceClient client)
    {
        var reply = await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
        return reply.Time.ToDateTime();
    }
    // end snippet

    // Exercise 1.7
    public static async Task<IReadOnlyList<string>> WriteAndListAsync(FileService.FileServiceClient client, string fileName, string text)
    {
        await client.WriteFileAsync(new WriteFileRequest
        {
            FileName = fileName,
            Content = Google.Protobuf.ByteString.CopyFromUtf8(text),
        });
        var listing = await client.ListFilesAsync(new ListFilesRequest());
        return listing.Files.Select(f => f.Name).ToList();
    }
}
