using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

/// <summary>The client side of chapter 1: one unary call per method.</summary>
public static class FileClient
{
    // Exercise 1.5
    public static Task<string> GreetAsync(FileService.FileServiceClient client, string name)
    {
        // TODO 1.5: call SayHello with the name and return the reply's message.
        throw new NotImplementedException("TODO 1.5: GreetAsync");
    }

    // Exercise 1.6
    public static Task<DateTime> GetServerTimeAsync(FileService.FileServiceClient client)
    {
        // TODO 1.6: call GetServerTime with a deadline 5 seconds from now
        //           (deadline: DateTime.UtcNow.AddSeconds(5)) and return the time as a DateTime.
        throw new NotImplementedException("TODO 1.6: GetServerTimeAsync");
    }

    // Exercise 1.7
    public static Task<IReadOnlyList<string>> WriteAndListAsync(FileService.FileServiceClient client, string fileName, string text)
    {
        // TODO 1.7: call WriteFile to store the text (UTF-8) under the file name, then call
        //           ListFiles and return the names it lists, in its order.
        throw new NotImplementedException("TODO 1.7: WriteAndListAsync");
    }
}
