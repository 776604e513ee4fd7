using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>
/// The bundled runtime supports no compression: asking for it must fail clearly, not silently.
/// (The official packages do support gzip, so these tests are skipped on that stack.)
/// </summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class CompressionTests(HostKind kind)
{
    [SetUp]
    public void BundledRuntimeOnly()
    {
        if (typeof(GrpcChannel).Assembly.GetName().Name != "StreamingTutorial.GrpcRuntime")
        {
            Assert.Ignore("The official packages support gzip; these tests check the bundled runtime's refusal.");
        }
    }

    [Test]
    public async Task A_client_call_that_asks_for_gzip_fails_at_once_naming_compression()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<EchoService>());
        var client = new TestService.TestServiceClient(host.CreateChannel());
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        var error = Assert.Throws<InvalidOperationException>(() => client.UnaryAsync(new Payload(), headers));

        Assert.That(error!.Message, Does.Contain("compression").And.Contain("gzip"),
            "The error should say that the call asked for a compression the runtime does not have.");
    }

    [Test]
    public async Task A_request_with_grpc_encoding_gzip_is_UNIMPLEMENTED_with_the_accepted_encodings()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<EchoService>());
        using var http = new HttpClient(host.CreateHttpHandler());
        // One message with the compressed flag set; its bytes do not matter, the header is refused first.
        var body = new ByteArrayContent([1, 0, 0, 0, 3, 0x1f, 0x8b, 0x08]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Address, "/runtimetest.TestService/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        request.Headers.Add("grpc-encoding", "gzip");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await http.SendAsync(request).Within("the gzip request");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "gRPC errors travel as HTTP 200 with a grpc-status.");
            Assert.That(response.Headers.GetValues("grpc-status").Single(), Is.EqualTo(((int)StatusCode.Unimplemented).ToString()),
                "A request compressed with an unsupported encoding is UNIMPLEMENTED (PROTOCOL-HTTP2).");
            Assert.That(response.Headers.GetValues("grpc-accept-encoding").Single(), Is.EqualTo("identity"),
                "The answer should say which encodings the server accepts.");
            Assert.That(response.Headers.GetValues("grpc-message").Single(), Does.Contain("gzip"));
        });
    }
}
