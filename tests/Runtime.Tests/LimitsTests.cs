using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>Message size limits, each side and each direction: an oversized message ends the call with RESOURCE_EXHAUSTED.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class LimitsTests(HostKind kind)
{
    private const int FourMiB = 4 * 1024 * 1024;
    private const int SmallLimit = 1024;
    private const string ReceiveDetail = "Received message exceeds the maximum configured message size";
    private const string SendDetail = "Sending message exceeds the maximum configured message size";

    [Test]
    public async Task A_request_over_the_servers_default_4_MiB_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync();
        var client = new TestService.TestServiceClient(host.CreateChannel());

        var ex = await Rpc.Fails(() => client.UnaryAsync(new Payload { Data = TestData.Bytes(FourMiB + 1) }).ResponseAsync, "a request over 4 MiB");

        AssertResourceExhausted(ex, ReceiveDetail, "a request over the server's receive limit");
    }

    [Test]
    public async Task A_streamed_request_over_the_servers_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync(options => options.MaxReceiveMessageSize = SmallLimit);
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ClientStream();

        await call.RequestStream.WriteAsync(new Payload { Data = TestData.Bytes(SmallLimit * 2) }).Within("writing the oversized message");
        var ex = await Rpc.Fails(() => call.ResponseAsync, "a client stream with a message over the server's limit");

        AssertResourceExhausted(ex, ReceiveDetail, "a streamed request over the server's receive limit");
    }

    [Test]
    public async Task A_response_over_the_clients_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync();
        var client = new TestService.TestServiceClient(host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = SmallLimit }));
        using var call = client.ServerStream(new StreamRequest { Count = 1, Size = SmallLimit * 2 });

        var ex = await Rpc.Fails(() => call.ResponseStream.MoveNext(CancellationToken.None), "reading a response over the client's limit");

        AssertResourceExhausted(ex, ReceiveDetail, "a response over the client's receive limit");
    }

    [Test]
    public async Task A_unary_response_over_the_clients_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync();
        var client = new TestService.TestServiceClient(host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = SmallLimit }));

        // The request is under the server's 4 MiB; its echo is over the client's 1 KiB.
        var ex = await Rpc.Fails(() => client.UnaryAsync(new Payload { Data = TestData.Bytes(SmallLimit * 2) }).ResponseAsync, "a unary response over the client's limit");

        AssertResourceExhausted(ex, ReceiveDetail, "a unary response over the client's receive limit");
    }

    [Test]
    public async Task A_request_over_the_clients_send_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync();
        var client = new TestService.TestServiceClient(host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = SmallLimit }));

        var ex = await Rpc.Fails(() => client.UnaryAsync(new Payload { Data = TestData.Bytes(SmallLimit * 2) }).ResponseAsync, "a request over the client's send limit");

        AssertResourceExhausted(ex, SendDetail, "a request over the client's send limit");
    }

    [Test]
    public async Task A_streamed_request_over_the_clients_send_limit_fails_the_write_with_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync();
        var client = new TestService.TestServiceClient(host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = SmallLimit }));
        using var call = client.ClientStream();

        await call.RequestStream.WriteAsync(new Payload { Data = TestData.Bytes(10) }).Within("a write under the limit");
        var ex = await Rpc.Fails(() => call.RequestStream.WriteAsync(new Payload { Data = TestData.Bytes(SmallLimit * 2) }), "a write over the client's send limit");

        AssertResourceExhausted(ex, SendDetail, "a streamed write over the client's send limit");
    }

    [Test]
    public async Task A_response_over_the_servers_send_limit_is_RESOURCE_EXHAUSTED()
    {
        await using var host = await StartEchoHostAsync(options => options.MaxSendMessageSize = SmallLimit);
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ServerStream(new StreamRequest { Count = 1, Size = SmallLimit * 2 });

        var ex = await Rpc.Fails(() => call.ResponseStream.MoveNext(CancellationToken.None), "reading a response over the server's send limit");

        AssertResourceExhausted(ex, SendDetail, "a response over the server's send limit");
    }

    private Task<GrpcTestHost> StartEchoHostAsync(Action<GrpcServiceOptions>? configureGrpc = null) =>
        GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<EchoService>(), configureGrpc: configureGrpc);

    private static void AssertResourceExhausted(RpcException ex, string detailStart, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted), $"status code of {what}");
            Assert.That(ex.Status.Detail, Does.StartWith(detailStart), $"status detail of {what}");
        });
    }
}
