using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

/// <summary>The client side of chapter 1: one unary call per method.</summary>
public static class FileClient
{
    // Exercise 1.5
    public static async Task<string> GreetAsync(FileService.FileServiceClient client, string name)
    {
        // TODO 1.5: call SayHello with the name and return the greeting's text.
        throw new NotImplementedException("TODO 1.5: GreetAsync");
    }

    // Exercise 1.6
    public static async Task<DateTime> GetServerTimeAsync(FileService.FileServiceClient client)
    {
        // TODO 1.6: call GetServerTime, giving the call 5 seconds at most, and return the
        //           server's time as a DateTime.
        throw new NotImplementedException("TODO 1.6: GetServerTimeAsync");
    }

    // Exercise 1.7
    public static async Task<IReadOnlyList<string>> WriteAndListAsync(FileService.FileServiceClient client, string fileName, string text)
    {
        // TODO 1.7: store the text (UTF-8) under the file name with WriteFile, then return the
        //           names ListFiles gives, in its order. The listing must show the new file.
        throw new NotImplementedException("TODO 1.7: WriteAndListAsync");
    }
}
