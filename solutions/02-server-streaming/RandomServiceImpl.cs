using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;

namespace StreamingTutorial.Chapter02;

/// <summary>The random number service of chapter 2: a stream of a known length, then the end.</summary>
public class RandomServiceImpl : RandomService.RandomServiceBase
{
    // Exercise 2.2
    // snippet: generate-numbers
    public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
    {
        if (request.Min > request.Max)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"min ({request.Min}) must not be greater than max ({request.Max})."));
        }
        if (request.Count < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"count must be 0 or more, not {request.Count}."));
        }
        if (request.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"interval_ms must be 0 or more, not {request.IntervalMs}."));
        }
        for (var sequence = 1; sequence <= request.Count; sequence++)
        {
            if (sequence > 1)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }
            // The upper bound of NextInt64 is exclusive: max + 1 includes max (a long, so int.MaxValue works too).
            var value = (int)Random.Shared.NextInt64(request.Min, (long)request.Max + 1);
            await responseStream.WriteAsync(new RandomNumber { Value = value, Sequence = sequence });
        }
        // Returning ends the stream with status OK: the client's loop finishes.
    }
    // end snippet
}
