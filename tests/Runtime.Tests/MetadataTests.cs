using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>Custom metadata, text and binary ("-bin"), in request headers, response headers and trailers.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class MetadataTests(HostKind kind)
{
    private const string RequestText = "request value";
    private static readonly byte[] RequestBytes = [0x00, 0x01, 0x02, 0x80, 0xFF];

    private GrpcTestHost host = null!;
    private ServerProbe probe = null!;
    private TestService.TestServiceClient client = null!;

    [SetUp]
    public async Task StartHost()
    {
        probe = new ServerProbe();
        host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<MetadataService>(), services => services.AddSingleton(probe));
        client = new TestService.TestServiceClient(host.CreateChannel());
    }

    [TearDown]
    public async Task StopHost() => await host.DisposeAsync();

    [Test]
    public async Task A_unary_call_carries_request_headers_response_headers_and_trailers()
    {
        using var call = client.UnaryAsync(new Payload { Id = 3 }, RequestHeaders());

        var responseHeaders = await call.ResponseHeadersAsync.Within("the response headers");
        var response = await call.ResponseAsync.Within("the response");

        Assert.Multiple(() =>
        {
            Assert.That(response.Id, Is.EqualTo(3), "id of the echoed message");
            Assert.That(probe.Deadline, Is.EqualTo(DateTime.MaxValue), "ServerCallContext.Deadline of a call without a deadline");
        });
        AssertRequestHeadersSeenByServer();
        AssertResponseHeaders(responseHeaders);
        AssertTrailers(call.GetTrailers(), "call.GetTrailers()");
    }

    [Test]
    public async Task A_server_streaming_call_carries_request_headers_response_headers_and_trailers()
    {
        using var call = client.ServerStream(new StreamRequest { Count = 2 }, RequestHeaders());

        var responseHeaders = await call.ResponseHeadersAsync.Within("the response headers");
        var ids = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).Within("the next message"))
        {
            ids.Add(call.ResponseStream.Current.Id);
        }

        Assert.That(ids, Is.EqualTo(new[] { 0, 1 }), "ids of the streamed messages");
        AssertRequestHeadersSeenByServer();
        AssertResponseHeaders(responseHeaders);
        AssertTrailers(call.GetTrailers(), "call.GetTrailers()");
    }

    [Test]
    public async Task A_failed_unary_call_carries_its_trailers_in_the_RpcException()
    {
        // The handler fails before sending anything: status and trailers share one HEADERS frame.
        using var call = client.UnaryAsync(new Payload { Text = MetadataService.Fail }, RequestHeaders());

        var ex = await Rpc.Fails(() => call.ResponseAsync, "a unary call that fails with trailers");

        Rpc.AssertStatus(ex, StatusCode.FailedPrecondition, MetadataService.FailureDetail, "a unary call that fails with trailers");
        AssertRequestHeadersSeenByServer();
        AssertTrailers(ex.Trailers, "RpcException.Trailers");
        Assert.That(ex.Trailers.GetValueBytes("x-error-bin"), Is.EqualTo(MetadataService.ErrorBytes), "binary trailer carried by the handler's RpcException");
    }

    [Test]
    public async Task A_failed_server_streaming_call_carries_its_trailers_in_the_RpcException()
    {
        // The handler fails after headers and messages: status and trailers come as real trailers.
        using var call = client.ServerStream(new StreamRequest { Count = 2, Text = MetadataService.Fail }, RequestHeaders());

        var responseHeaders = await call.ResponseHeadersAsync.Within("the response headers");
        var ids = new List<int>();
        var ex = await Rpc.Fails(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                ids.Add(call.ResponseStream.Current.Id);
            }
        }, "a server stream that fails with trailers");

        Assert.That(ids, Is.EqualTo(new[] { 0, 1 }), "ids of the messages before the failure");
        Rpc.AssertStatus(ex, StatusCode.FailedPrecondition, MetadataService.FailureDetail, "a server stream that fails with trailers");
        AssertResponseHeaders(responseHeaders);
        AssertTrailers(ex.Trailers, "RpcException.Trailers");
        Assert.That(ex.Trailers.GetValueBytes("x-error-bin"), Is.EqualTo(MetadataService.ErrorBytes), "binary trailer carried by the handler's RpcException");
    }

    private static Metadata RequestHeaders() => new()
    {
        { "x-request-text", RequestText },
        { "x-request-bin", RequestBytes },
    };

    private void AssertRequestHeadersSeenByServer()
    {
        var headers = probe.RequestHeaders;
        Assert.Multiple(() =>
        {
            Assert.That(headers.GetValue("x-request-text"), Is.EqualTo(RequestText), "text request header in context.RequestHeaders");
            Assert.That(headers.Get("x-request-bin")?.IsBinary, Is.True, "the -bin request header is a binary entry");
            Assert.That(headers.GetValueBytes("x-request-bin"), Is.EqualTo(RequestBytes), "binary request header in context.RequestHeaders");
        });
    }

    private static void AssertResponseHeaders(Metadata headers)
    {
        Assert.Multiple(() =>
        {
            Assert.That(headers.GetValue("x-header-text"), Is.EqualTo(MetadataService.HeaderText), "text response header in call.ResponseHeadersAsync");
            Assert.That(headers.GetValueBytes("x-header-bin"), Is.EqualTo(MetadataService.HeaderBytes), "binary response header in call.ResponseHeadersAsync");
        });
    }

    private static void AssertTrailers(Metadata trailers, string where)
    {
        Assert.Multiple(() =>
        {
            Assert.That(trailers.GetValue("x-trailer-text"), Is.EqualTo(MetadataService.TrailerText), $"text trailer in {where}");
            Assert.That(trailers.GetValueBytes("x-trailer-bin"), Is.EqualTo(MetadataService.TrailerBytes), $"binary trailer in {where}");
        });
    }
}
