using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;

namespace StreamingTutorial.Chapter02;

/// <summary>The random number service of chapter 2: a stream of a known length, then the end.</summary>
public class RandomServiceImpl : RandomService.RandomServiceBase
{
    // Exercise 2.2
    public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
    {
        // TODO 2.2: send request.Count RandomNumber messages, each with a random value from
        //           request.Min to request.Max (both included, whatever the two are) and a sequence
        //           number 1, 2, 3, ... The first goes right away, then one every request.IntervalMs ms.
        //           After the last one the stream ends with status OK.
        //           Refuse a bad request before sending anything, with a message that says what is
        //           wrong: min greater than max, a negative count or a negative interval.
        throw new NotImplementedException("TODO 2.2: GenerateNumbers");
    }
}
