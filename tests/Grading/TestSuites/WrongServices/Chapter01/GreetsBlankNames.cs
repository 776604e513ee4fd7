// Wrong service: a SayHello that greets a blank name instead of rejecting it.
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

public class FileServiceImpl
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply { Message = $"Hello, {request.Name}!" });
}
