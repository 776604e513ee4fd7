// Wrong service: a GenerateNumbers that never sends max (Random.Next leaves out its upper bound).
using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;

namespace StreamingTutorial.Chapter02;

public class RandomServiceImpl
{
    public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
    {
        if (request.Min > request.Max || request.Count < 0 || request.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Bad request."));
        }
        for (var sequence = 1; sequence <= request.Count; sequence++)
        {
            if (sequence > 1)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }
            var value = request.Min == request.Max ? request.Min : Random.Shared.Next(request.Min, request.Max);
            await responseStream.WriteAsync(new RandomNumber { Value = value, Sequence = sequence });
        }
    }
}
