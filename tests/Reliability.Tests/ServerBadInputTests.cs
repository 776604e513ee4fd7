using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// Broken clients against the runtime's server, on real Kestrel: each bad request gets a named
/// HTTP or gRPC status, its handler never runs on bad bytes, and the server keeps serving.
/// (Runtime.Tests covers the JSON content type, gzip and oversized messages that really are sent.)
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("BadInput")]
public class ServerBadInputTests
{
    private static readonly byte[] GoodRequest = new Payload { Id = 1, Text = "hi" }.ToByteArray();

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
    public async Task An_HTTP_1_1_request_to_an_HTTP_1_and_2_server_gets_426_Upgrade_Required_naming_HTTP_2()
    {
        await using var both = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<EchoService>(),
            Services = services => services.AddSingleton(probe),
            Protocols = HttpProtocols.Http1AndHttp2,
        });

        var response = await GrpcHttp.SendAsync(both.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest)), version: HttpVersion.Version11);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HttpStatusCode.UpgradeRequired), $"HTTP status of an HTTP/1.1 gRPC request ({response})");
            Assert.That(response.Headers.GetValueOrDefault("upgrade"), Is.EqualTo("h2c"), "the Upgrade header names cleartext HTTP/2");
            Assert.That(response.GrpcStatus, Is.EqualTo("13"), "grpc-status INTERNAL, for clients that read it");
            Assert.That(response.GrpcMessage, Does.Contain("HTTP/1.1").And.Contain("HTTP/2"), "grpc-message names the protocol sent and the one needed");
            Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        });
        await StillServing.AssertAsync(client, "an HTTP/1.1 request");
    }

    [Test]
    public async Task An_HTTP_1_1_request_to_an_HTTP_2_only_server_like_the_demos_gets_400_from_Kestrel()
    {
        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest)), version: HttpVersion.Version11);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), $"HTTP status ({response})");
            Assert.That(System.Text.Encoding.UTF8.GetString(response.Body), Does.Contain("HTTP/2 only endpoint"), "Kestrel's explanation in the body");
            Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        });
        await StillServing.AssertAsync(client, "an HTTP/1.1 request");
    }

    [TestCase("text/plain")]
    [TestCase("application/grpc-web")]
    [TestCase("application/grpcx")]
    [TestCase(null)]
    public async Task A_request_with_a_content_type_that_is_not_gRPC_gets_415(string? contentType)
    {
        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest), contentType));

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HttpStatusCode.UnsupportedMediaType), $"HTTP status for content-type '{contentType}' ({response})");
            Assert.That(response.GrpcStatus, Is.EqualTo("13"), "grpc-status INTERNAL");
            Assert.That(response.GrpcMessage, Does.Contain($"'{contentType}'").And.Contain("application/grpc"), "grpc-message names the content type sent and the one needed");
            Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        });
        await StillServing.AssertAsync(client, $"a {contentType ?? "missing"} content type");
    }

    [TestCase(new byte[] { 0, 0, 0 }, TestName = "A request that ends inside the 5-byte length prefix is INTERNAL")]
    [TestCase(new byte[] { 0, 0, 0, 0, 10, 8, 1 }, TestName = "A request that ends before the length its prefix announced is INTERNAL")]
    public async Task A_truncated_request_is_INTERNAL(byte[] body)
    {
        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(body));

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, "The request stream ended in the middle of a message.", "a truncated request");
        Assert.That(probe.HandlersStarted, Is.Zero, "the unary handler never ran on half a message");
        await StillServing.AssertAsync(client, "a truncated request");
    }

    [Test]
    public async Task A_client_stream_that_ends_mid_message_after_good_messages_is_INTERNAL_and_the_handler_sees_the_good_ones_first()
    {
        var body = GrpcHttp.Frame(GoodRequest).Concat(GrpcHttp.Frame(GoodRequest)).Concat(new byte[] { 0, 0, 0, 0, 9, 1 }).ToArray();

        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.ClientStreamPath, GrpcHttp.Body(body));

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, "The request stream ended in the middle of a message.", "a client stream cut mid-message");
        await StillServing.AssertAsync(client, "a client stream cut mid-message");
    }

    [TestCase(0x7FFF_FFFFu, 4 * 1024 * 1024)]
    [TestCase(0xFFFF_FFFFu, 4 * 1024 * 1024)]
    [TestCase(4u * 1024 * 1024 + 1, 4 * 1024 * 1024)]
    public async Task A_length_prefix_over_the_receive_limit_is_RESOURCE_EXHAUSTED_at_once_without_waiting_for_the_payload(uint declared, int limit)
    {
        // Only the prefix is sent and the request stays open: the answer must not wait for gigabytes that never come.
        using var content = new OpenEndedContent(GrpcHttp.Frame([], declaredLength: declared));

        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, content).Within("the answer to an oversized length prefix");

        var shown = Math.Min(declared, int.MaxValue);
        GrpcHttp.AssertGrpcError(response, StatusCode.ResourceExhausted,
            $"Received message exceeds the maximum configured message size ({shown} > {limit} bytes).", "an oversized length prefix");
        Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        await StillServing.AssertAsync(client, "an oversized length prefix");
    }

    [TestCase(null)]
    [TestCase("identity")]
    public async Task A_message_with_the_compressed_flag_but_no_agreed_encoding_is_INTERNAL(string? encoding)
    {
        var headers = encoding is null ? [] : new[] { ("grpc-encoding", encoding) };

        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest, flag: 1)), headers);

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, "The request sent a compressed message, but no grpc-encoding was agreed", "a compressed message without grpc-encoding");
        Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        await StillServing.AssertAsync(client, "a compressed flag without an encoding");
    }

    [TestCase((byte)2)]
    [TestCase((byte)0x80)]
    [TestCase((byte)0xFF)]
    public async Task A_message_whose_flag_byte_is_neither_0_nor_1_is_INTERNAL(byte flag)
    {
        Stack.RequireBundledRuntime("the official server may word this differently");

        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest, flag)));

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, $"Invalid compressed flag {flag} in the request message header.", "an invalid flag byte");
        await StillServing.AssertAsync(client, "an invalid flag byte");
    }

    [TestCase("x-made-up")]
    [TestCase("GZIP")]
    [TestCase("identity, gzip")]
    public async Task A_request_with_an_unknown_grpc_encoding_is_UNIMPLEMENTED_and_names_what_the_server_accepts(string encoding)
    {
        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest, flag: 1)), [("grpc-encoding", encoding)]);

        GrpcHttp.AssertGrpcError(response, StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'.", $"grpc-encoding '{encoding}'");
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValueOrDefault("grpc-accept-encoding"), Does.Contain("identity"), "grpc-accept-encoding lists what the server takes");
            Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        });
        await StillServing.AssertAsync(client, "an unknown grpc-encoding");
    }

    [TestCase(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, TestName = "A payload that is a malformed varint is INTERNAL")]
    [TestCase(new byte[] { 0x1A, 0x05, 0x61, 0x62 }, TestName = "A payload whose string field runs past its end is INTERNAL")]
    [TestCase(new byte[] { 0x0F }, TestName = "A payload with an invalid wire type is INTERNAL")]
    public async Task A_payload_that_is_not_valid_protobuf_is_INTERNAL(byte[] payload)
    {
        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(payload)));

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, Stack.IsBundledRuntime ? "Failed to deserialize the request message." : "", "an invalid protobuf payload");
        Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        await StillServing.AssertAsync(client, "an invalid protobuf payload");
    }

    [TestCase("1")]
    [TestCase("S")]
    [TestCase("123456789S")]
    [TestCase("-1S")]
    [TestCase("1.5S")]
    [TestCase("10x")]
    [TestCase("99999999999999999999H")]
    public async Task An_invalid_grpc_timeout_is_INTERNAL(string timeout)
    {
        Stack.RequireBundledRuntime("Grpc.AspNetCore ignores an invalid grpc-timeout and runs the call without a deadline");

        var response = await GrpcHttp.SendAsync(host.Address, GrpcHttp.UnaryPath, GrpcHttp.Body(GrpcHttp.Frame(GoodRequest)), [("grpc-timeout", timeout)]);

        GrpcHttp.AssertGrpcError(response, StatusCode.Internal, $"Invalid grpc-timeout header value '{timeout}'.", $"grpc-timeout '{timeout}'");
        Assert.That(probe.HandlersStarted, Is.Zero, "no handler ran");
        await StillServing.AssertAsync(client, "an invalid grpc-timeout");
    }
}
