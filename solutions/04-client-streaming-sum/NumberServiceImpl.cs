using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.1: reads a stream of numbers and answers with their sum.</summary>
public class NumberServiceImpl : NumberService.NumberServiceBase
{
    // Exercise 4.1
    // snippet: sum-numbers
    public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
    {
        // A long cannot wrap around while int32 values are added to it, so a total that
        // passes int.MaxValue midway and comes back is still exact. Only the final total counts.
        long total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            total += request.Num;
        }
        if (total is < int.MinValue or > int.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                $"The sum {total} does not fit in an int32 (from {int.MinValue} to {int.MaxValue})."));
        }
        return new NumberResponse { Sum = (int)total };
    }
    // end snippet
}
