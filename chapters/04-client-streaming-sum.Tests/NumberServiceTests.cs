using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter04.Tests;

/// <summary>Tests of chapter 4: the client's stream in memory for the services, and the client against a service in memory.</summary>
public class NumberServiceTests
{
    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/numbers.NumberService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    private static InMemoryStreamReader<NumberRequest> Numbers(params int[] numbers) =>
        InMemoryStreamReader.Of(numbers.Select(n => new NumberRequest { Num = n }));

    private static InMemoryStreamReader<SensorReading> Readings(params double[] values) =>
        InMemoryStreamReader.Of(values.Select(v => new SensorReading { SensorId = "s1", Value = v }));

    // An example: the client's numbers are an InMemoryStreamReader (chapters/Testing), complete
    // from the start, read by the service as it would read a real call's request stream.
    [Test]
    public async Task SumNumbers_adds_up_every_number()
    {
        var response = await new NumberServiceImpl().SumNumbers(Numbers(1, 2, 3, -4), Context());

        Assert.That(response.Sum, Is.EqualTo(2));
    }

    // TODO 4.T: write tests that would catch a service that gets these wrong, then delete the test below:
    //  - SumNumbers refuses a sum too large for an int with OutOfRange (int.MaxValue and 1).
    //  - SummarizeReadings reports count, min, max and mean (with readings whose smallest is
    //    not the first, and all above 0); no readings at all give a summary of zeros; a NaN
    //    reading is refused with InvalidArgument.
    //  - NumbersClient.SumAsync sends every number you give it, 0 included: host
    //    NumberServiceImpl on a TestServer and call it through a real GrpcChannel
    //    (book.md, chapter 4, "Testing it").
    // Grade them with: dotnet test --filter Category=Chapter04
    [Test]
    public void Your_tests()
    {
        throw new NotImplementedException("TODO 4.T: NumberServiceTests");
    }
}
