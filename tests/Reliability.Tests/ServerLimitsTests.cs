using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// Clients that ask the server for too much: oversized metadata, thousands of streams, and
/// responses nobody reads. The limits are Kestrel's defaults (the demos and the test hosts
/// keep them) and HTTP/2 flow control, which the runtime must respect by awaiting every flush.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("BadInput")]
public class ServerLimitsTests
{
    private const string DuplexPath = "/runtimetest.TestService/Duplex";

    private KestrelHost host = null!;
    private ServerProbe probe = null!;
    private TestService.TestServiceClient client = null!;

    [SetUp]
    public async Task StartHost()
    {
        probe = new ServerProbe();
        host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<EchoService>(),
            Services = services => services.AddSingleton(probe),
        });
        client = new TestService.TestServiceClient(host.CreateChannel());
    }

    [TearDown]
    public async Task StopHost() => await host.DisposeAsync();

    [Test]
    public async Task Request_headers_over_32_KiB_in_total_get_HTTP_431_and_the_connection_goes_on_serving()
    {
        await using var raw = await RawHttp2Connection.ConnectAsync(host.Address);
        var metadata = Enumerable.Range(0, 40).Select(i => ($"x-meta-{i}", new string('v', 1000))).ToArray();

        var oversized = raw.NextStreamId();
        await raw.SendHeadersAsync(oversized, RawHttp2Connection.GrpcRequestHeaders(host.Address, GrpcHttp.UnaryPath, metadata), endStream: false);
        var answer = await raw.WaitForAsync(f => f.StreamId == oversized && f.Type is FrameType.Headers or FrameType.RstStream, Waits.Patience);

        Assert.That(answer?.Header(":status"), Is.EqualTo("431"), $"the answer to 40 KB of request headers: {answer}");
        var next = raw.NextStreamId();
        await raw.SendHeadersAsync(next, RawHttp2Connection.GrpcRequestHeaders(host.Address, GrpcHttp.UnaryPath), endStream: false);
        await raw.SendDataAsync(next, GrpcHttp.Frame(new Payload { Id = 3 }.ToByteArrayCompat()), endStream: true);
        var trailers = await raw.WaitForAsync(f => f.StreamId == next && f.Type == FrameType.Headers && f.EndStream, Waits.Patience);
        Assert.Multiple(() =>
        {
            Assert.That(trailers?.Header("grpc-status"), Is.EqualTo("0"), $"a good call on the same connection afterwards: {trailers}");
            Assert.That(probe.HandlersStarted, Is.EqualTo(1), "only the good call reached a handler");
        });
        await StillServing.AssertAsync(client, "oversized request headers");
    }

    [Test]
    public async Task One_header_field_over_Kestrels_32_KiB_field_limit_closes_that_connection_with_COMPRESSION_ERROR_and_no_other()
    {
        // A separate client keeps a call open the whole time: its connection must not notice.
        using var bystander = new TestService.TestServiceClient(host.CreateChannel()).Duplex();
        await bystander.RequestStream.WriteAsync(new Payload { Id = 1 }).Within("the bystander's first write");
        Assert.That(await bystander.ResponseStream.MoveNext(CancellationToken.None).Within("the bystander's first echo"), Is.True);
        await using var raw = await RawHttp2Connection.ConnectAsync(host.Address);

        var stream = raw.NextStreamId();
        await raw.SendHeadersAsync(stream, RawHttp2Connection.GrpcRequestHeaders(host.Address, GrpcHttp.UnaryPath, ("x-huge", new string('v', 40_000))), endStream: false);
        var goAway = await raw.WaitForAsync(f => f.Type == FrameType.GoAway, Waits.Patience);

        Assert.Multiple(() =>
        {
            Assert.That(goAway?.ErrorCode, Is.EqualTo(Http2Error.CompressionError), $"how the server answers a 40,000-byte header field: {goAway}");
            Assert.That(probe.HandlersStarted, Is.EqualTo(1), "only the bystander's call reached a handler");
        });
        await bystander.RequestStream.WriteAsync(new Payload { Id = 2 }).Within("the bystander's second write");
        Assert.That(await bystander.ResponseStream.MoveNext(CancellationToken.None).Within("the bystander's second echo"), Is.True, "the bystander's call goes on");
        await bystander.RequestStream.CompleteAsync();
        await StillServing.AssertAsync(client, "an oversized header field");
    }

    [Test]
    public async Task A_gRPC_call_with_metadata_over_the_servers_advertised_limit_is_INTERNAL_before_it_is_sent()
    {
        // A first call lets the client learn the server's SETTINGS, including its header list limit.
        await StillServing.AssertAsync(client, "nothing yet");
        var metadata = new Metadata();
        for (var i = 0; i < 10; i++)
        {
            metadata.Add($"x-meta-{i}", new string('m', 4000));
        }

        var ex = await Waits.Fails(() => client.UnaryAsync(new Payload(), metadata).ResponseAsync, "a call with 40 KB of metadata");

        // Not UNAVAILABLE: sending the same call again cannot work.
        Waits.AssertStatus(ex, StatusCode.Internal, "Error starting gRPC call. HttpRequestException: The HTTP request headers length exceeded the server limit of 32768 bytes.", "a call with 40 KB of metadata");
        Assert.That(probe.HandlersStarted, Is.EqualTo(1), "the oversized call never reached a handler");
        await StillServing.AssertAsync(client, "a call with oversized metadata");
    }

    [Test]
    public async Task Two_thousand_concurrent_calls_from_one_channel_all_complete_at_most_100_per_connection()
    {
        const int Calls = 2000;
        var calls = Enumerable.Range(0, Calls).Select(_ => client.Duplex()).ToList();
        try
        {
            // Every call is open and has been answered once before any of them ends.
            await Task.WhenAll(calls.Select(async (call, i) =>
            {
                await call.RequestStream.WriteAsync(new Payload { Id = i });
                if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.Id != i)
                {
                    throw new AssertionException($"call {i} did not get its echo");
                }
            })).Within($"{Calls} calls answered", TimeSpan.FromSeconds(60));
            Assert.That(probe.HandlersStarted, Is.EqualTo(Calls), "every call reached its handler");

            await Task.WhenAll(calls.Select(async call =>
            {
                await call.RequestStream.CompleteAsync();
                Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.False);
            })).Within($"{Calls} calls ended", TimeSpan.FromSeconds(60));
        }
        finally
        {
            calls.ForEach(call => call.Dispose());
        }

        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => c.GetStatus().StatusCode), Is.All.EqualTo(StatusCode.OK), "every call's status");
            Assert.That(probe.MaxOpenPerConnection, Is.InRange(1, 100), "calls open at once on one connection (Kestrel's limit is 100 streams)");
        });
        await host.AssertAllHandlersEndAsync($"{Calls} calls ended");
        await StillServing.AssertAsync(client, $"{Calls} concurrent calls");
    }

    [Test]
    public async Task A_client_that_ignores_the_stream_limit_gets_REFUSED_STREAM_past_100_and_keeps_its_connection()
    {
        await using var raw = await RawHttp2Connection.ConnectAsync(host.Address);
        var streams = new List<int>();
        for (var i = 0; i < 1000; i++)
        {
            var id = raw.NextStreamId();
            streams.Add(id);
            await raw.SendHeadersAsync(id, RawHttp2Connection.GrpcRequestHeaders(host.Address, DuplexPath), endStream: false);
            if (i % 50 == 49)
            {
                // A burst of 50 at a time: a faster flood makes Kestrel drop the whole connection (see the next test).
                await Task.Delay(50);
            }
        }

        var outcomes = await CollectStreamOutcomesAsync(raw, streams);

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o.Value == "served"), Is.EqualTo(100), "streams the server took (Kestrel's default limit)");
            Assert.That(outcomes.Count(o => o.Value == "RefusedStream"), Is.EqualTo(900), "streams refused with REFUSED_STREAM, which a client may retry");
            Assert.That(probe.MaxOpenPerConnection, Is.EqualTo(100), "handlers open at once for that connection");
        });
        foreach (var id in outcomes.Where(o => o.Value == "served").Select(o => o.Key))
        {
            await raw.SendResetAsync(id, Http2Error.Cancel);
        }
        await host.AssertAllHandlersEndAsync("the client reset its 100 streams");
        var again = raw.NextStreamId();
        await raw.SendHeadersAsync(again, RawHttp2Connection.GrpcRequestHeaders(host.Address, DuplexPath), endStream: false);
        var headers = await raw.WaitForAsync(f => f.StreamId == again, Waits.Patience);
        Assert.That(headers?.Header(":status"), Is.EqualTo("200"), $"a new stream on the same connection once the others ended: {headers}");
        await StillServing.AssertAsync(client, "a client that ignored the stream limit");
    }

    [Test]
    public async Task A_flood_of_a_thousand_streams_at_once_costs_the_flooder_its_connection_and_nobody_else_anything()
    {
        using var bystander = new TestService.TestServiceClient(host.CreateChannel()).Duplex();
        await bystander.RequestStream.WriteAsync(new Payload { Id = 1 }).Within("the bystander's first write");
        Assert.That(await bystander.ResponseStream.MoveNext(CancellationToken.None).Within("the bystander's first echo"), Is.True);
        await using var raw = await RawHttp2Connection.ConnectAsync(host.Address);

        try
        {
            for (var i = 0; i < 1000; i++)
            {
                await raw.SendHeadersAsync(raw.NextStreamId(), RawHttp2Connection.GrpcRequestHeaders(host.Address, DuplexPath), endStream: false);
            }
        }
        catch (IOException)
        {
            // The server may close the connection before the flood is even sent.
        }

        Assert.That(probe.MaxOpenPerConnection, Is.LessThanOrEqualTo(100), "handlers open at once for one connection, flood or not");
        await bystander.RequestStream.WriteAsync(new Payload { Id = 2 }).Within("the bystander's second write");
        Assert.That(await bystander.ResponseStream.MoveNext(CancellationToken.None).Within("the bystander's second echo"), Is.True, "the bystander's call goes on");
        await bystander.RequestStream.CompleteAsync();
        await raw.DisposeAsync();
        await Waits.UntilAsync(() => host.ActiveRequests == 0);
        Assert.That(host.ActiveRequests, Is.Zero, "handlers still running after the flooder left");
        await StillServing.AssertAsync(client, "a stream flood");
    }

    [Test]
    public async Task A_client_that_never_reads_holds_the_servers_writes_to_its_flow_control_window()
    {
        const int MessageSize = 64 * 1024;
        const int Count = 4096; // 256 MiB if nothing held the handler back
        using var call = client.ServerStream(new StreamRequest { Count = Count, Size = MessageSize });
        await call.ResponseHeadersAsync.Within("the response headers");

        // The handler writes until HTTP/2 flow control stops it; then its WriteAsync waits.
        var written = await Waits.SettledValueAsync(() => probe.BytesWritten, quiet: TimeSpan.FromSeconds(1));
        Figures.Report("never-reads", $"the server wrote {Figures.MiB(written)} of 256 MiB before flow control held it");

        Assert.That(written, Is.LessThan(8L * 1024 * 1024), "bytes a handler could write while its client read nothing (bounded by the client's window and Kestrel's buffers)");
        call.Dispose();
        await host.AssertAllHandlersEndAsync("the client gave up on the call it never read");
        await StillServing.AssertAsync(client, "a client that never read");
    }

    private static async Task<Dictionary<int, string>> CollectStreamOutcomesAsync(RawHttp2Connection raw, List<int> streams)
    {
        var outcomes = new Dictionary<int, string>();
        while (outcomes.Count < streams.Count)
        {
            var frame = await raw.WaitForAsync(f => f.Type is FrameType.Headers or FrameType.RstStream or FrameType.GoAway, Waits.Patience);
            if (frame is null || frame.Type == FrameType.GoAway)
            {
                Assert.Fail($"The server closed the connection after {outcomes.Count} of {streams.Count} streams had an answer: {frame}");
            }
            outcomes.TryAdd(frame!.StreamId, frame.Type == FrameType.Headers ? "served" : frame.ErrorCode.ToString());
        }
        return outcomes;
    }
}
