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
        //           An empty or blank name is the caller's mistake: refuse it with the status code
        //           that says so, and a message a person can read.
        throw new NotImplementedException("TODO 1.1: SayHello");
    }

    // Exercise 1.2
    public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context)
    {
        // TODO 1.2: answer with the server's current time, as a protobuf Timestamp.
        //           (A Timestamp is a point in UTC: look at what kind of DateTime it accepts.)
        throw new NotImplementedException("TODO 1.2: GetServerTime");
    }

    // Exercise 1.3
    public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        // TODO 1.3: store request.Content as a file named request.FileName in storage.Root and
        //           answer with the name and the number of bytes written.
        //           A name that FileNameRules.Check finds a problem with is the caller's mistake:
        //           refuse it with that problem as the message, and write nothing.
        throw new NotImplementedException("TODO 1.3: WriteFile");
    }

    // Exercise 1.4
    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        // TODO 1.4: answer with one FileEntry (name and size in bytes) for each file in
        //           storage.Root, ordered by name (ordinal, the same on every machine).
        throw new NotImplementedException("TODO 1.4: ListFiles");
    }
}
