// Wrong client: a ReadNumbersAsync that throws when the deadline passes, losing the numbers that arrived.
using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;

namespace StreamingTutorial.Chapter02;

public static class StreamingClient
{
    public static async Task<IReadOnlyList<RandomNumber>> ReadNumbersAsync(RandomService.RandomServiceClient client, RandomRequest request, TimeSpan timeout)
    {
        var numbers = new List<RandomNumber>();
        using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.Add(timeout));
        await foreach (var number in call.ResponseStream.ReadAllAsync())
        {
            numbers.Add(number);
        }
        return numbers;
    }
}
