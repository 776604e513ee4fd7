using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

/// <summary>The server side of exercise 4.1: reads a stream of numbers and answers with their sum.</summary>
public class NumberServiceImpl : NumberService.NumberServiceBase
{
    // Exercise 4.1
    public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
    {
        // TODO 4.1: answer with the sum of the Num of every NumberRequest the client streams,
        //           once the client has completed its stream.
        //           - No numbers at all is fine: the sum is 0.
        //           - Only the final total counts, and it must fit in an int32. If it does not, refuse
        //             with the status for "outside what can be answered" and a message that says so.
        //             A total that leaves the int32 range midway and comes back is fine:
        //             2147483647, 1, -1 answers 2147483647.
        throw new NotImplementedException("TODO 4.1: SumNumbers");
    }
}
