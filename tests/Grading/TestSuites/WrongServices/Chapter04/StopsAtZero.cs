// Wrong client: a SumAsync that takes 0 for the end of the numbers and sends nothing after it.
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Chapter04;

public static class NumbersClient
{
    public static async Task<int> SumAsync(NumberService.NumberServiceClient client, IEnumerable<int> numbers)
    {
        using var call = client.SumNumbers();
        foreach (var number in numbers.TakeWhile(n => n != 0))
        {
            await call.RequestStream.WriteAsync(new NumberRequest { Num = number });
        }
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Sum;
    }
}
