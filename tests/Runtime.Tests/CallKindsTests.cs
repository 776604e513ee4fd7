using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>The four call kinds against an echo service: message sizes from 0 bytes to just under 4 MiB, and long streams.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class CallKindsTests(HostKind kind)
{
    // The default receive limit on both sides; a message of exactly this size is still allowed.
    private const int FourMiB = 4 * 1024 * 1024;
    private const int LongStream = 10_000;

    private GrpcTestHost host = null!;
    private TestService.TestServiceClient client = null!;

    [SetUp]
    public async Task StartHost()
    {
        host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<EchoService>());
        client = new TestService.TestServiceClient(host.CreateChannel());
    }

    [TearDown]
    public async Task StopHost() => await host.DisposeAsync();

    [Test]
    public async Task A_unary_call_returns_the_handlers_response()
    {
        var request = new Payload { Id = 42, Text = "hello", Data = TestData.Bytes(100) };

        using var call = client.UnaryAsync(request);
        var response = await call.ResponseAsync.Within("the unary response");

        Assert.Multiple(() =>
        {
            Assert.That(response, Is.EqualTo(request), "echoed message");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "status of the finished call");
        });
    }

    [Test]
    public async Task A_server_streaming_call_delivers_every_message_in_order()
    {
        using var call = client.ServerStream(new StreamRequest { Count = 5, Size = 10 });

        var ids = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            ids.Add(message.Id);
            Assert.That(message.Data, Is.EqualTo(TestData.Bytes(10)), $"data of message {message.Id}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }), "ids in arrival order");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "status of the finished call");
        });
    }

    [Test]
    public async Task A_client_streaming_call_delivers_every_message_in_order()
    {
        using var call = client.ClientStream();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new Payload { Id = i, Data = TestData.Bytes(3) }).Within($"write {i}");
        }
        await call.RequestStream.CompleteAsync().Within("completing the request stream");
        var summary = await call.ResponseAsync.Within("the summary");

        Assert.Multiple(() =>
        {
            Assert.That(summary.Ids, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }), "ids in the order the server read them");
            Assert.That(summary.TotalBytes, Is.EqualTo(15), "bytes the server read");
        });
    }

    [Test]
    public async Task A_duplex_call_answers_each_message_before_the_next_is_sent()
    {
        // Ping-pong: each response is read before the next request is written, so the two
        // directions must really be independent streams, not a buffered request then a response.
        using var call = client.Duplex();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new Payload { Id = i, Text = $"ping {i}" }).Within($"write {i}");
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).Within($"echo {i}"), Is.True, $"echo {i} arrived");
            Assert.That(call.ResponseStream.Current.Text, Is.EqualTo($"ping {i}"), $"echo {i}");
        }
        await call.RequestStream.CompleteAsync().Within("completing the request stream");

        var more = await call.ResponseStream.MoveNext(CancellationToken.None).Within("end of the response stream");

        Assert.Multiple(() =>
        {
            Assert.That(more, Is.False, "more messages after the last echo");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "status of the finished call");
        });
    }

    [Test]
    public async Task An_empty_message_round_trips_as_zero_bytes()
    {
        var request = new Payload();
        Assert.That(request.CalculateSize(), Is.Zero, "serialized size of the request");

        var response = await client.UnaryAsync(request).ResponseAsync.Within("the unary response");

        Assert.That(response, Is.EqualTo(new Payload()), "echo of the empty message");
    }

    [Test]
    public async Task Empty_messages_round_trip_on_a_duplex_stream()
    {
        using var call = client.Duplex();
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new Payload()).Within($"write {i}");
        }
        await call.RequestStream.CompleteAsync().Within("completing the request stream");

        var received = new List<Payload>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received.Add(message);
        }

        Assert.That(received, Is.EqualTo(new[] { new Payload(), new Payload(), new Payload() }), "echoes of three empty messages");
    }

    [Test]
    public async Task A_message_just_under_4_MiB_round_trips_both_ways()
    {
        // 64 bytes of room for the field tags and lengths: the message itself is just under the limit.
        var request = new Payload { Id = 7, Data = TestData.Bytes(FourMiB - 64) };
        Assert.That(request.CalculateSize(), Is.InRange(FourMiB - 64, FourMiB), "serialized size of the request");

        var response = await client.UnaryAsync(request).ResponseAsync.Within("the 4 MiB echo");

        Assert.Multiple(() =>
        {
            Assert.That(response.Data.Length, Is.EqualTo(request.Data.Length), "length of the echoed data");
            Assert.That(response.Data == request.Data, Is.True, "echoed data is byte-for-byte the data sent");
            Assert.That(response.Id, Is.EqualTo(7), "id of the echo");
        });
    }

    [Test]
    public async Task Ten_thousand_messages_stream_from_the_server_in_order()
    {
        using var call = client.ServerStream(new StreamRequest { Count = LongStream, Size = 8 });

        var expected = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.Id != expected)
            {
                Assert.Fail($"Expected message {expected} next, but got message {message.Id}.");
            }
            expected++;
        }

        Assert.That(expected, Is.EqualTo(LongStream), "messages received");
    }

    [Test]
    public async Task Ten_thousand_messages_stream_from_the_client_in_order()
    {
        using var call = client.ClientStream();
        for (var i = 0; i < LongStream; i++)
        {
            await call.RequestStream.WriteAsync(new Payload { Id = i, Data = TestData.Bytes(8) });
        }
        await call.RequestStream.CompleteAsync().Within("completing the request stream");
        var summary = await call.ResponseAsync.Within("the summary");

        Assert.Multiple(() =>
        {
            Assert.That(summary.Count, Is.EqualTo(LongStream), "messages the server read");
            Assert.That(summary.TotalBytes, Is.EqualTo(LongStream * 8L), "bytes the server read");
            Assert.That(summary.Ids, Is.EqualTo(Enumerable.Range(0, LongStream)), "ids in the order the server read them");
        });
    }

    [Test]
    public async Task Ten_thousand_messages_echo_through_a_duplex_stream_while_both_sides_stream()
    {
        using var call = client.Duplex();

        // Write and read at the same time: neither side may wait for the other to finish.
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < LongStream; i++)
            {
                await call.RequestStream.WriteAsync(new Payload { Id = i });
            }
            await call.RequestStream.CompleteAsync();
        });
        var ids = new List<int>(LongStream);
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            ids.Add(message.Id);
        }
        await writing.Within("the writer to finish");

        Assert.That(ids, Is.EqualTo(Enumerable.Range(0, LongStream)), "ids of the echoes in arrival order");
    }

    [Test]
    public async Task Two_hundred_concurrent_unary_calls_on_one_channel_all_succeed()
    {
        var calls = Enumerable.Range(0, 200)
            .Select(i => client.UnaryAsync(new Payload { Id = i, Text = $"call {i}" }).ResponseAsync)
            .ToArray();
        var responses = await Task.WhenAll(calls).Within("all 200 responses");

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.Id), Is.EqualTo(Enumerable.Range(0, 200)), "each response's id, in call order");
            Assert.That(responses.Select(r => r.Text), Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"call {i}")), "each response's text, in call order");
        });
    }
}
