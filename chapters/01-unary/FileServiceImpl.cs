using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

/// <summary>The server side of chapter 1: four unary methods over a folder the server owns.</summary>
public class FileServiceImpl(FileStorage storage) : FileService.FileServiceBase
{
    // Exercise 1.1
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
    {
        // TODO 1.1: answer with the message "Hello, <name>!".
        //           An empty or blank name is the caller's mistake: throw an RpcException
        //           with StatusCode.InvalidArgument and a message that says so.
        throw new NotImplementedException("TODO 1.1: SayHello");
    }

    // Exercise 1.2
    public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context)
    {
        // TODO 1.2: answer with the server's current time in UTC, as a protobuf Timestamp
        //           (Timestamp.FromDateTime needs a DateTime of kind Utc).
        throw new NotImplementedException("TODO 1.2: GetServerTime");
    }

    // Exercise 1.3
    public override Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        // TODO 1.3: store request.Content as a file named request.FileName in storage.Root and
        //           answer with the name and the number of bytes written.
        //           Check the name first with FileNameRules.Check: if it returns a problem,
        //           throw an RpcException with StatusCode.InvalidArgument and write nothing.
        throw new NotImplementedException("TODO 1.3: WriteFile");
    }

    // Exercise 1.4
    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        // TODO 1.4: answer with one FileEntry (name and size in bytes) for each file in
        //           storage.Root, ordered by name.
        throw new NotImplementedException("TODO 1.4: ListFiles");
    }
}

/// <summary>What makes a file name safe to store: a plain name that stays inside the folder.</summary>
public static class FileNameRules
{
    public const int MaxBytes = 255;

    /// <summary>Null when the name is acceptable; otherwise what is wrong with it.</summary>
    public static string? Check(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "File name is empty.";
        }
        if (Encoding.UTF8.GetByteCount(fileName) > MaxBytes)
        {
            return $"File name is longer than {MaxBytes} bytes.";
        }
        if (fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', ':', '\0']) >= 0 || Path.IsPathRooted(fileName))
        {
            return $"File name '{fileName}' must be a plain name, without folders.";
        }
        return null;
    }
}
