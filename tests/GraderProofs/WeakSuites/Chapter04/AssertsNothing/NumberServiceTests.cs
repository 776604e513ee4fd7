using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter04.Tests;

/// <summary>A weak suite: it only checks that nothing throws, which is no assertion at all.</summary>
public class NumberServiceTests
{
    [Test]
    public async Task Sums_run()
    {
        var context = TestServerCallContext.Create("/x/y", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });
        var response = await new NumberServiceImpl().SumNumbers(InMemoryStreamReader.Of(new NumberRequest { Num = 1 }), context);
        var summary = await new SensorServiceImpl().SummarizeReadings(InMemoryStreamReader.Of(new SensorReading { Value = 1 }), context);
        TestContext.Out.WriteLine($"{response.Sum} {summary.Mean}");
    }
}
