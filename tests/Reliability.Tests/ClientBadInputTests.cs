using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// Broken servers against the runtime's client: garbage frames, missing trailers, a wrong
/// content type, a response cut mid-message. Every call ends with a named status, never a hang.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("BadInput")]
public class ClientBadInputTests
{
    private static readonly byte[] GoodMessage = new Payload { Id = 5, Text = "fine" }.ToByteArrayCompat();

    [Test]
    public async Task A_response_message_with_the_compressed_flag_but_no_grpc_encoding_is_INTERNAL()
    {
        var ex = await CallFakeServerAsync(Respond(GrpcHttp.Frame(GoodMessage, flag: 1), trailers: true));

        Waits.AssertStatus(ex, StatusCode.Internal, "The response sent a compressed message, but no grpc-encoding was agreed", "a compressed response without grpc-encoding");
    }

    [Test]
    public async Task A_response_message_with_an_invalid_flag_byte_is_INTERNAL()
    {
        Stack.RequireBundledRuntime("Grpc.Net.Client may word this differently");

        var ex = await CallFakeServerAsync(Respond(GrpcHttp.Frame(GoodMessage, flag: 0x7F), trailers: true));

        Waits.AssertStatus(ex, StatusCode.Internal, "Invalid compressed flag 127 in the response message header.", "a response with flag byte 0x7F");
    }

    [Test]
    public async Task A_response_length_prefix_over_the_clients_limit_is_RESOURCE_EXHAUSTED_at_once()
    {
        // The fake server announces 2 GiB and then holds the stream open: the client must not wait for it.
        var ex = await CallFakeServerAsync(async context =>
        {
            await StartGrpcResponseAsync(context, GrpcHttp.Frame([], declaredLength: 0x7FFF_FFFF));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });

        Waits.AssertStatus(ex, StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size (2147483647 > 4194304 bytes).", "a 2 GiB length prefix");
    }

    [Test]
    public async Task A_response_payload_that_is_not_valid_protobuf_is_INTERNAL()
    {
        var ex = await CallFakeServerAsync(Respond(GrpcHttp.Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), trailers: true));

        Waits.AssertStatus(ex, StatusCode.Internal, Stack.IsBundledRuntime ? "Failed to deserialize the response message." : "", "a response that is not protobuf");
    }

    [Test]
    public async Task Two_hundred_random_response_bodies_each_end_the_call_with_a_status_and_never_hang()
    {
        var random = new Random(20_240_601);
        (byte[] Body, bool Trailers) next = ([], false);
        await using var host = await FakeServerAsync(context => Respond(next.Body, next.Trailers)(context));
        var client = new TestService.TestServiceClient(host.CreateChannel());
        var outcomes = new Dictionary<StatusCode, int>();
        for (var i = 0; i < 200; i++)
        {
            var payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            var body = (i % 3) switch
            {
                0 => payload, // bytes that are not even a frame
                1 => GrpcHttp.Frame(payload), // an honest frame of random protobuf
                _ => GrpcHttp.Frame(payload, declaredLength: (uint)Math.Max(0, payload.Length + random.Next(-3, 4))), // a length that lies a little
            };
            next = (body, random.Next(2) == 0);
            StatusCode status;
            try
            {
                await client.UnaryAsync(new Payload()).ResponseAsync.Within($"the call that got random body #{i} ({Convert.ToHexString(body)})");
                status = StatusCode.OK;
            }
            catch (RpcException ex)
            {
                status = ex.StatusCode;
            }
            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
        }

        Figures.Report("client-random-bodies", "200 random response bodies: " + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        Assert.That(outcomes.Keys, Is.SubsetOf(new[] { StatusCode.OK, StatusCode.Internal, StatusCode.ResourceExhausted }),
            "statuses of calls that got random bytes: OK when they happened to be a message with trailers, otherwise INTERNAL or RESOURCE_EXHAUSTED");
    }

    [Test]
    public async Task A_unary_response_without_trailers_is_INTERNAL()
    {
        var ex = await CallFakeServerAsync(Respond(GrpcHttp.Frame(GoodMessage), trailers: false));

        Waits.AssertStatus(ex, StatusCode.Internal, Stack.IsBundledRuntime ? "No grpc-status found on response" : "", "a response without trailers");
    }

    [Test]
    public async Task A_server_stream_without_trailers_delivers_its_messages_then_is_INTERNAL()
    {
        await using var host = await FakeServerAsync(Respond(GrpcHttp.Frame(GoodMessage).Concat(GrpcHttp.Frame(GoodMessage)).ToArray(), trailers: false));
        using var call = new TestService.TestServiceClient(host.CreateChannel()).ServerStream(new StreamRequest());
        var received = 0;

        var ex = await Waits.Fails(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        }, "reading a stream that ends without trailers");

        Assert.That(received, Is.EqualTo(2), "messages delivered before the missing trailers were noticed");
        Waits.AssertStatus(ex, StatusCode.Internal, Stack.IsBundledRuntime ? "No grpc-status found on response" : "", "a stream without trailers");
    }

    [TestCase("text/html")]
    [TestCase("application/json")]
    [TestCase("application/grpc-web")]
    public async Task A_200_response_with_a_content_type_that_is_not_gRPC_is_INTERNAL(string contentType)
    {
        var ex = await CallFakeServerAsync(async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync("<html><body>Not a gRPC server</body></html>");
        });

        Waits.AssertStatus(ex, StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}", $"a {contentType} response");
    }

    [TestCase(404, StatusCode.Unimplemented)]
    [TestCase(503, StatusCode.Unavailable)]
    [TestCase(401, StatusCode.Unauthenticated)]
    [TestCase(500, StatusCode.Unknown)]
    public async Task A_non_200_HTTP_status_maps_to_the_gRPC_status_the_spec_names(int httpStatus, StatusCode expected)
    {
        var ex = await CallFakeServerAsync(async context =>
        {
            context.Response.StatusCode = httpStatus;
            await context.Response.WriteAsync("an error page");
        });

        Waits.AssertStatus(ex, expected, $"Bad gRPC response. HTTP status code: {httpStatus}", $"HTTP {httpStatus}");
    }

    [Test]
    public async Task A_response_that_ends_in_the_middle_of_a_message_is_INTERNAL()
    {
        var ex = await CallFakeServerAsync(Respond(GrpcHttp.Frame(GoodMessage)[..7], trailers: false));

        Waits.AssertStatus(ex, StatusCode.Internal, Stack.IsBundledRuntime ? "The response stream ended in the middle of a message." : "", "a response cut mid-message");
    }

    [Test]
    public async Task A_response_stream_reset_in_the_middle_of_a_message_is_INTERNAL_as_RST_STREAM_INTERNAL_ERROR_maps()
    {
        var ex = await CallFakeServerAsync(async context =>
        {
            await StartGrpcResponseAsync(context, GrpcHttp.Frame(GoodMessage)[..7]);
            context.Abort();
        });

        Waits.AssertStatus(ex, StatusCode.Internal, "Error reading next message. HttpProtocolException: The HTTP/2 server reset the stream. HTTP/2 error code 'INTERNAL_ERROR'", "a stream reset mid-message");
    }

    [Test]
    public async Task A_response_that_stalls_in_the_middle_of_a_message_ends_at_the_calls_deadline()
    {
        await using var host = await FakeServerAsync(async context =>
        {
            await StartGrpcResponseAsync(context, GrpcHttp.Frame(GoodMessage)[..7]);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var client = new TestService.TestServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(() => client.UnaryAsync(new Payload(), deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync, "a call to a server that stalls mid-message");

        Waits.AssertStatus(ex, StatusCode.DeadlineExceeded, "", "a call to a server that stalls mid-message");
    }

    [Test]
    public async Task A_server_that_answers_with_bytes_that_are_not_HTTP_2_fails_the_call_with_INTERNAL()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        await using var server = new TcpFakeServer(async (stream, stop) =>
        {
            await stream.WriteAsync(garbage, stop);
            await Task.Delay(Timeout.Infinite, stop);
        });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);

        var ex = await Waits.Fails(() => new TestService.TestServiceClient(channel).UnaryAsync(new Payload()).ResponseAsync, "a call to a server that sends garbage");

        Waits.AssertStatus(ex, StatusCode.Internal, "Error starting gRPC call.", "a call to a server that sends garbage");
    }

    [Test]
    public async Task A_server_that_speaks_HTTP_1_1_fails_the_call_with_INTERNAL()
    {
        await using var server = new TcpFakeServer(async (stream, stop) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), stop);
            await Task.Delay(Timeout.Infinite, stop);
        });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);

        var ex = await Waits.Fails(() => new TestService.TestServiceClient(channel).UnaryAsync(new Payload()).ResponseAsync, "a call to an HTTP/1.1 server");

        Waits.AssertStatus(ex, StatusCode.Internal, "Error starting gRPC call.", "a call to an HTTP/1.1 server");
    }

    [Test]
    public async Task A_server_that_accepts_and_closes_at_once_fails_the_call_with_UNAVAILABLE()
    {
        await using var server = new TcpFakeServer((stream, _) =>
        {
            stream.Socket.Close();
            return Task.CompletedTask;
        });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);

        var ex = await Waits.Fails(() => new TestService.TestServiceClient(channel).UnaryAsync(new Payload()).ResponseAsync, "a call to a server that hangs up");

        Waits.AssertStatus(ex, StatusCode.Unavailable, "Error starting gRPC call.", "a call to a server that hangs up");
    }

    private static RequestDelegate Respond(byte[] body, bool trailers) => async context =>
    {
        await StartGrpcResponseAsync(context, body);
        if (trailers)
        {
            context.Response.AppendTrailer("grpc-status", "0");
        }
    };

    private static async Task StartGrpcResponseAsync(HttpContext context, byte[] body)
    {
        // Read the request first, as a real server would, so the client's send is complete.
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = "application/grpc";
        await context.Response.BodyWriter.WriteAsync(body);
        await context.Response.BodyWriter.FlushAsync();
    }

    private static Task<KestrelHost> FakeServerAsync(RequestDelegate answer) => KestrelHost.StartAsync(new HostSetup
    {
        Grpc = null,
        Map = app => app.MapPost("/runtimetest.TestService/{method}", answer),
    });

    private static async Task<RpcException> CallFakeServerAsync(RequestDelegate answer)
    {
        await using var host = await FakeServerAsync(answer);
        var client = new TestService.TestServiceClient(host.CreateChannel());
        return await Waits.Fails(() => client.UnaryAsync(new Payload()).ResponseAsync, "a call to a broken server");
    }
}
