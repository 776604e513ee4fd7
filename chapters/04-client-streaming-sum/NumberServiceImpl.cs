using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.1: reads a stream of numbers and answers with their sum.</summary>
public class NumberServiceImpl : NumberService.NumberServiceBase
{
    // Exercise 4.1
    public override Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
    {
        // TODO 4.1: read every NumberRequest the client streams and answer with the sum of their Num.
        //           The stream ends when the client completes it; only then can you answer.
        //           - No numbers at all is fine: the sum is 0.
        //           - Only the final total counts: it must fit in an int32. If it does not (too big or
        //             too small), throw an RpcException with StatusCode.OutOfRange and a message that
        //             says so. A total that leaves the int32 range midway and comes back is fine:
        //             2147483647, 1, -1 answers 2147483647.
        throw new NotImplementedException("TODO 4.1: SumNumbers");
    }
}
