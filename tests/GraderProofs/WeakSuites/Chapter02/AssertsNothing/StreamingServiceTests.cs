using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter02.Tests;

/// <summary>A weak suite: it runs the stream and prints it, but asserts nothing.</summary>
public class StreamingServiceTests
{
    [Test]
    public async Task GenerateNumbers_runs()
    {
        var context = TestServerCallContext.Create("/x/y", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });
        var responses = new InMemoryServerStreamWriter<RandomNumber>();
        await new RandomServiceImpl().GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 3 }, responses, context);
        foreach (var number in responses.Written)
        {
            TestContext.Out.WriteLine(number);
        }
    }
}
