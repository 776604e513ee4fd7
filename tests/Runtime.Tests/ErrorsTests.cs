using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>How handler failures, unknown methods and non-gRPC requests reach the client.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class ErrorsTests(HostKind kind)
{
    private const string GenericDetail = "Exception was thrown by handler.";

    private static readonly Marshaller<Payload> PayloadMarshaller =
        Marshallers.Create<Payload>(message => message.ToByteArray(), bytes => Payload.Parser.ParseFrom(bytes));

    [Test]
    public async Task A_handler_exception_becomes_UNKNOWN_with_a_generic_message()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<FailingService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());

        var ex = await Rpc.Fails(() => client.UnaryAsync(new Payload()).ResponseAsync, "a call whose handler throws");

        Rpc.AssertStatus(ex, StatusCode.Unknown, GenericDetail, "a call whose handler throws");
    }

    [Test]
    public async Task A_plain_exception_mid_stream_becomes_UNKNOWN_after_the_messages_already_sent()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<FailingService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ServerStream(new StreamRequest());

        var (ids, ex) = await ReadUntilFailureAsync(call.ResponseStream);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 0, 1, 2 }), "messages read before the failure");
            Rpc.AssertStatus(ex, StatusCode.Unknown, GenericDetail, "the failed stream");
            Assert.That(ex.Status.Detail, Does.Not.Contain(FailingService.SecretText), "the exception's text must not leak to the client by default");
        });
    }

    [Test]
    public async Task With_detailed_errors_enabled_the_exception_text_reaches_the_client()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<FailingService>(),
            configureGrpc: options => options.EnableDetailedErrors = true);
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ServerStream(new StreamRequest());

        var (ids, ex) = await ReadUntilFailureAsync(call.ResponseStream);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 0, 1, 2 }), "messages read before the failure");
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unknown), "status code of the failed stream");
            Assert.That(ex.Status.Detail, Does.StartWith(GenericDetail).And.Contain(FailingService.SecretText), "status detail with detailed errors on");
        });
    }

    [Test]
    public async Task An_RpcException_mid_stream_ends_the_call_with_its_status_and_trailers()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<FailingService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ServerStream(new StreamRequest { Text = FailingService.FailWithRpcException });

        var (ids, ex) = await ReadUntilFailureAsync(call.ResponseStream);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 0, 1, 2 }), "messages read before the failure");
            Rpc.AssertStatus(ex, StatusCode.DataLoss, FailingService.MidStreamDetail, "the failed stream");
            Assert.That(ex.Trailers.GetValue("x-failure-reason"), Is.EqualTo("mid-stream"), "text trailer in the RpcException");
            Assert.That(ex.Trailers.GetValueBytes("x-failure-bin"), Is.EqualTo(FailingService.FailureBytes), "binary trailer in the RpcException");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DataLoss), "call.GetStatus() after the failure");
            Assert.That(call.GetTrailers().GetValue("x-failure-reason"), Is.EqualTo("mid-stream"), "call.GetTrailers() after the failure");
        });
    }

    [Test]
    public async Task A_status_message_with_whitespace_and_Unicode_round_trips_unchanged_in_a_trailers_only_response()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<StatusDetailService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());

        var ex = await Rpc.Fails(() => client.UnaryAsync(new Payload()).ResponseAsync, "a call that fails with a special status message");

        Rpc.AssertStatus(ex, StatusCode.InvalidArgument, StatusDetailService.Detail, "a call that fails with a special status message");
    }

    [Test]
    public async Task A_status_message_with_whitespace_and_Unicode_round_trips_unchanged_in_trailers_after_a_message()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<StatusDetailService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());
        using var call = client.ServerStream(new StreamRequest());

        var (ids, ex) = await ReadUntilFailureAsync(call.ResponseStream);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 1 }), "messages read before the failure");
            Rpc.AssertStatus(ex, StatusCode.InvalidArgument, StatusDetailService.Detail, "a stream that fails with a special status message");
        });
    }

    [Test]
    public async Task A_method_the_service_class_does_not_override_is_UNIMPLEMENTED()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<PartialServiceImpl>());
        var client = new PartialService.PartialServiceClient(host.CreateChannel());

        var implemented = await client.ImplementedAsync(new Payload { Id = 1 }).ResponseAsync.Within("the implemented method");
        var ex = await Rpc.Fails(() => client.NotImplementedAsync(new Payload()).ResponseAsync, "a call to a method the class does not override");

        Assert.Multiple(() =>
        {
            Assert.That(implemented.Id, Is.EqualTo(1), "the overridden method still answers");
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unimplemented), "status code of a method the class does not override");
        });
    }

    [Test]
    public async Task A_method_that_a_mapped_service_does_not_have_is_UNIMPLEMENTED()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<PartialServiceImpl>());
        var invoker = host.CreateChannel().CreateCallInvoker();
        // A method no .proto declares, on a service the server does map.
        var missing = new Method<Payload, Payload>(MethodType.Unary, "runtimetest.PartialService", "Missing", PayloadMarshaller, PayloadMarshaller);

        var ex = await Rpc.Fails(() => invoker.AsyncUnaryCall(missing, null, new CallOptions(), new Payload()).ResponseAsync, "a call to a method the service lacks");

        Rpc.AssertStatus(ex, StatusCode.Unimplemented, "Method is unimplemented.", "a call to a method the service lacks");
    }

    [Test]
    public async Task A_service_that_was_never_mapped_is_UNIMPLEMENTED()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<PartialServiceImpl>());
        var client = new UnmappedService.UnmappedServiceClient(host.CreateChannel());

        var ex = await Rpc.Fails(() => client.CallAsync(new Payload()).ResponseAsync, "a call to a service no one mapped");

        Rpc.AssertStatus(ex, StatusCode.Unimplemented, "Service is unimplemented.", "a call to a service no one mapped");
    }

    [Test]
    public async Task A_client_stream_to_a_service_that_was_never_mapped_is_UNIMPLEMENTED()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<PartialServiceImpl>());
        var client = new UnmappedService.UnmappedServiceClient(host.CreateChannel());
        using var call = client.Upload();

        // The server answers as soon as it sees the request headers, so this write may or may
        // not get in first; either way the call's outcome is the server's UNIMPLEMENTED.
        try
        {
            await call.RequestStream.WriteAsync(new Payload { Id = 1 }).Within("a write to an unmapped service");
        }
        catch (RpcException)
        {
        }
        var ex = await Rpc.Fails(() => call.ResponseAsync, "a client stream to a service no one mapped");

        Rpc.AssertStatus(ex, StatusCode.Unimplemented, "Service is unimplemented.", "a client stream to a service no one mapped");
    }

    [Test]
    public async Task A_request_with_a_JSON_content_type_gets_HTTP_415()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<EchoService>());
        using var http = new HttpClient(host.CreateHttpHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Address, "/runtimetest.TestService/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("{}", new MediaTypeHeaderValue("application/json")),
        };

        using var response = await http.SendAsync(request).Within("the HTTP response");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType), "HTTP status of a JSON POST to a gRPC method");
    }

    /// <summary>Reads messages until the stream fails; the stream must fail, not end cleanly.</summary>
    private static async Task<(List<int> Ids, RpcException Error)> ReadUntilFailureAsync(IAsyncStreamReader<Payload> stream)
    {
        var ids = new List<int>();
        var error = await Rpc.Fails(async () =>
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
                ids.Add(stream.Current.Id);
            }
        }, "the response stream");
        return (ids, error);
    }
}
