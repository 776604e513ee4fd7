using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter02.Tests;

/// <summary>Tests of chapter 2: each stream written into an in-memory writer, and the client against a service in memory.</summary>
public class StreamingServiceTests
{
    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/streaming.StreamingService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    // An example: the response stream is an InMemoryServerStreamWriter (chapters/Testing); after
    // the call, Written holds what the service sent, in order.
    [Test]
    public async Task GenerateNumbers_sends_count_numbers_numbered_from_1()
    {
        var responses = new InMemoryServerStreamWriter<RandomNumber>();

        await new RandomServiceImpl().GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 3 }, responses, Context());

        Assert.That(responses.Written.Select(n => n.Sequence), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    // TODO 2.T: write tests that would catch a service that gets these wrong, then delete the test below:
    //  - GenerateNumbers sends numbers from min to max, both included (ask for enough numbers
    //    between two close values that each must turn up); it refuses min > max with
    //    InvalidArgument before sending anything.
    //  - GetTimeUpdates numbers the updates of every call from 1, and returns soon after its call
    //    is cancelled: start it with Context(token) without awaiting it, read updates with
    //    responses.ReadNextAsync(), cancel, then await it with a time-out (WaitAsync). Complete
    //    the writer in a finally block, so a service that does not stop gets an error.
    //  - GetTimeUpdates with interval_ms 0 waits a second between updates.
    //  - StreamingClient.ReadTimeUpdatesAsync hands over exactly maxUpdates updates: host
    //    StreamingServiceImpl on a TestServer, call it through a real GrpcChannel
    //    (book.md, chapter 2, "Testing it").
    // Grade them with: dotnet test --filter Category=Chapter02
    [Test]
    public void Your_tests()
    {
        throw new NotImplementedException("TODO 2.T: StreamingServiceTests");
    }
}
