// Wrong service: a SumNumbers that adds in an int, so a sum too large wraps around instead of failing with OutOfRange.
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

public class NumberServiceImpl
{
    public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            total += request.Num;
        }
        return new NumberResponse { Sum = total };
    }
}
