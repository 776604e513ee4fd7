using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;

namespace StreamingTutorial.Interop.Tests.CSharp;

/// <summary>
/// The client side of the official interop cases (grpc/grpc doc/interop-test-descriptions.md)
/// on the workbook's runtime. Each case throws (an NUnit assertion or an RpcException) when
/// the server does not behave as the description says.
/// </summary>
public static class InteropClient
{
    /// <summary>Every call's deadline, unless a case needs its own.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    public const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";
    public const string EchoInitialValue = "test_initial_metadata_value";
    public static readonly byte[] EchoTrailingValue = [0xab, 0xab, 0xab];

    public static readonly IReadOnlyDictionary<string, Func<GrpcChannel, Task>> Cases = new Dictionary<string, Func<GrpcChannel, Task>>
    {
        ["empty_unary"] = EmptyUnary,
        ["large_unary"] = LargeUnary,
        ["client_streaming"] = ClientStreaming,
        ["server_streaming"] = ServerStreaming,
        ["ping_pong"] = PingPong,
        ["empty_stream"] = EmptyStream,
        ["custom_metadata"] = CustomMetadata,
        ["status_code_and_message"] = StatusCodeAndMessage,
        ["special_status_message"] = SpecialStatusMessageCase,
        ["unimplemented_method"] = UnimplementedMethod,
        ["unimplemented_service"] = UnimplementedService,
        ["cancel_after_begin"] = CancelAfterBegin,
        ["cancel_after_first_response"] = CancelAfterFirstResponse,
        ["timeout_on_sleeping_server"] = TimeoutOnSleepingServer,
    };

    /// <summary>Runs one case, bounded as a whole: a case that hangs fails instead.</summary>
    public static async Task RunAsync(string name, GrpcChannel channel)
    {
        var run = Cases[name](channel);
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{name} did not finish within 30 s.");
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(CallTimeout);

    private static TestService.TestServiceClient Client(GrpcChannel channel) => new(channel);

    // empty_unary: an empty request gets an empty response.
    private static async Task EmptyUnary(GrpcChannel channel)
    {
        var response = await Client(channel).EmptyCallAsync(new Empty(), deadline: Deadline());
        Assert.That(response, Is.EqualTo(new Empty()), "EmptyCall's response");
    }

    private static SimpleRequest LargeUnaryRequest() => new()
    {
        ResponseType = PayloadType.Compressable,
        ResponseSize = 314_159,
        Payload = InteropTestService.Zeros(271_828),
    };

    // large_unary: 271,828 zero bytes up, 314,159 zero bytes back.
    private static async Task LargeUnary(GrpcChannel channel)
    {
        var response = await Client(channel).UnaryCallAsync(LargeUnaryRequest(), deadline: Deadline());
        CheckPayload(response.Payload, 314_159, "UnaryCall's response");
    }

    // client_streaming: four payloads up, their total size (74,922) back.
    private static async Task ClientStreaming(GrpcChannel channel)
    {
        using var call = Client(channel).StreamingInputCall(deadline: Deadline());
        foreach (var size in new[] { 27_182, 8, 1_828, 45_904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = InteropTestService.Zeros(size) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Assert.That(response.AggregatedPayloadSize, Is.EqualTo(74_922), "aggregated_payload_size");
    }

    // server_streaming: one request, four responses of the requested sizes, then OK.
    private static async Task ServerStreaming(GrpcChannel channel)
    {
        int[] sizes = [31_415, 9, 2_653, 58_979];
        var request = new StreamingOutputCallRequest { ResponseType = PayloadType.Compressable };
        request.ResponseParameters.AddRange(sizes.Select(size => new ResponseParameters { Size = size }));
        using var call = Client(channel).StreamingOutputCall(request, deadline: Deadline());
        var responses = new List<StreamingOutputCallResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }
        Assert.That(responses, Has.Count.EqualTo(sizes.Length), "number of responses");
        for (var i = 0; i < sizes.Length; i++)
        {
            CheckPayload(responses[i].Payload, sizes[i], $"response #{i + 1}");
        }
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "final status");
    }

    private static StreamingOutputCallRequest DuplexRequest(int? responseSize, int payloadSize, EchoStatus? status = null)
    {
        var request = new StreamingOutputCallRequest { ResponseType = PayloadType.Compressable, Payload = InteropTestService.Zeros(payloadSize) };
        if (responseSize is { } size)
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }
        if (status is not null)
        {
            request.ResponseStatus = status;
        }
        return request;
    }

    // ping_pong: four requests on one FullDuplexCall, each answered before the next is sent.
    private static async Task PingPong(GrpcChannel channel)
    {
        (int Response, int Request)[] pairs = [(31_415, 27_182), (9, 8), (2_653, 1_828), (58_979, 45_904)];
        using var call = Client(channel).FullDuplexCall(deadline: Deadline());
        for (var i = 0; i < pairs.Length; i++)
        {
            await call.RequestStream.WriteAsync(DuplexRequest(pairs[i].Response, pairs[i].Request));
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, $"response #{i + 1} arrives before the stream ends");
            CheckPayload(call.ResponseStream.Current.Payload, pairs[i].Response, $"response #{i + 1}");
        }
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.False, "no response after the last one");
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "final status");
    }

    // empty_stream: a FullDuplexCall that is half-closed at once ends with no response and OK.
    private static async Task EmptyStream(GrpcChannel channel)
    {
        using var call = Client(channel).FullDuplexCall(deadline: Deadline());
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.False, "no response on an empty stream");
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "final status");
    }

    private static Metadata EchoHeaders() => new()
    {
        { InteropTestService.EchoInitialKey, EchoInitialValue },
        { InteropTestService.EchoTrailingKey, EchoTrailingValue },
    };

    private static void CheckEchoed(Metadata headers, Metadata trailers, string what)
    {
        var initial = headers.Where(e => e.Key == InteropTestService.EchoInitialKey).Select(e => e.Value).ToList();
        Assert.That(initial, Is.EqualTo(new[] { EchoInitialValue }), $"{what}: {InteropTestService.EchoInitialKey} in the response headers");
        var trailing = trailers.Where(e => e.Key == InteropTestService.EchoTrailingKey).Select(e => e.ValueBytes).ToList();
        Assert.That(trailing, Is.EqualTo(new[] { EchoTrailingValue }), $"{what}: {InteropTestService.EchoTrailingKey} in the trailers");
    }

    // custom_metadata: the server echoes one header in its response headers and one binary header in its trailers, on UnaryCall and on FullDuplexCall.
    private static async Task CustomMetadata(GrpcChannel channel)
    {
        var client = Client(channel);
        using (var call = client.UnaryCallAsync(LargeUnaryRequest(), EchoHeaders(), Deadline()))
        {
            var response = await call.ResponseAsync;
            CheckPayload(response.Payload, 314_159, "UnaryCall's response");
            CheckEchoed(await call.ResponseHeadersAsync, call.GetTrailers(), "UnaryCall");
        }
        using (var call = client.FullDuplexCall(EchoHeaders(), Deadline()))
        {
            await call.RequestStream.WriteAsync(DuplexRequest(314_159, 271_828));
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, "FullDuplexCall: a response arrives");
            CheckPayload(call.ResponseStream.Current.Payload, 314_159, "FullDuplexCall's response");
            await call.RequestStream.CompleteAsync();
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.False, "FullDuplexCall: no second response");
            CheckEchoed(await call.ResponseHeadersAsync, call.GetTrailers(), "FullDuplexCall");
        }
    }

    // status_code_and_message: the server ends UnaryCall and FullDuplexCall with the status the request asks for.
    private static async Task StatusCodeAndMessage(GrpcChannel channel)
    {
        var client = Client(channel);
        var status = new EchoStatus { Code = 2, Message = "test status message" };
        await ExpectStatus(
            () => client.UnaryCallAsync(new SimpleRequest { ResponseStatus = status }, deadline: Deadline()).ResponseAsync,
            StatusCode.Unknown, status.Message, "UnaryCall");

        using var call = client.FullDuplexCall(deadline: Deadline());
        await WriteIgnoringTheEnd(call.RequestStream, DuplexRequest(null, 0, status));
        await ExpectStatus(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, StatusCode.Unknown, status.Message, "FullDuplexCall");
    }

    // special_status_message: whitespace and non-ASCII text survive grpc-message's percent-encoding.
    private static async Task SpecialStatusMessageCase(GrpcChannel channel)
    {
        var status = new EchoStatus { Code = 2, Message = SpecialStatusMessage };
        await ExpectStatus(
            () => Client(channel).UnaryCallAsync(new SimpleRequest { ResponseStatus = status }, deadline: Deadline()).ResponseAsync,
            StatusCode.Unknown, SpecialStatusMessage, "UnaryCall");
    }

    // unimplemented_method: TestService/UnimplementedCall is UNIMPLEMENTED.
    private static Task UnimplementedMethod(GrpcChannel channel) =>
        ExpectStatus(() => Client(channel).UnimplementedCallAsync(new Empty(), deadline: Deadline()).ResponseAsync,
            StatusCode.Unimplemented, null, "TestService/UnimplementedCall");

    // unimplemented_service: a service the server does not have is UNIMPLEMENTED.
    private static Task UnimplementedService(GrpcChannel channel) =>
        ExpectStatus(() => new Grpc.Testing.UnimplementedService.UnimplementedServiceClient(channel).UnimplementedCallAsync(new Empty(), deadline: Deadline()).ResponseAsync,
            StatusCode.Unimplemented, null, "UnimplementedService/UnimplementedCall");

    // cancel_after_begin: a StreamingInputCall cancelled before any message is CANCELLED.
    private static async Task CancelAfterBegin(GrpcChannel channel)
    {
        using var cancellation = new CancellationTokenSource();
        using var call = Client(channel).StreamingInputCall(deadline: Deadline(), cancellationToken: cancellation.Token);
        cancellation.Cancel();
        await ExpectStatus(() => call.ResponseAsync, StatusCode.Cancelled, null, "StreamingInputCall cancelled after it began");
    }

    // cancel_after_first_response: a FullDuplexCall cancelled after its first response is CANCELLED.
    private static async Task CancelAfterFirstResponse(GrpcChannel channel)
    {
        using var cancellation = new CancellationTokenSource();
        using var call = Client(channel).FullDuplexCall(deadline: Deadline(), cancellationToken: cancellation.Token);
        await call.RequestStream.WriteAsync(DuplexRequest(31_415, 27_182));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, "a first response arrives");
        CheckPayload(call.ResponseStream.Current.Payload, 31_415, "the first response");
        cancellation.Cancel();
        await ExpectStatus(() => call.ResponseStream.MoveNext(CancellationToken.None), StatusCode.Cancelled, null, "reading after the cancellation");
    }

    // timeout_on_sleeping_server: a FullDuplexCall with a 1 ms deadline on a server that waits for more requests is DEADLINE_EXCEEDED.
    private static async Task TimeoutOnSleepingServer(GrpcChannel channel)
    {
        using var call = Client(channel).FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(1));
        // No half-close: the server keeps waiting for more requests ("sleeps") until the deadline.
        // The deadline may pass before the request goes out; the spec allows the write to fail then.
        try
        {
            await call.RequestStream.WriteAsync(DuplexRequest(null, 27_182));
        }
        catch (RpcException)
        {
        }
        await ExpectStatus(() => call.ResponseStream.MoveNext(CancellationToken.None), StatusCode.DeadlineExceeded, null, "FullDuplexCall with a 1 ms deadline");
    }

    /// <summary>
    /// deadline_propagation (not an official case): an EmptyCall with a 5 s deadline; the server
    /// must see that deadline, i.e. the client sent it as grpc-timeout. The official cases cannot
    /// tell, because the client's own timer ends timeout_on_sleeping_server either way.
    /// </summary>
    public static async Task DeadlinePropagation(GrpcChannel channel)
    {
        var headers = new Metadata { { InteropTestService.EchoDeadlineKey, "1" } };
        using var call = Client(channel).EmptyCallAsync(new Empty(), headers, DateTime.UtcNow.AddSeconds(5));
        await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30));
        var remaining = (await call.ResponseHeadersAsync).Where(e => e.Key == InteropTestService.DeadlineRemainingKey).Select(e => e.Value).ToList();
        Assert.That(remaining, Has.Count.EqualTo(1), $"{InteropTestService.DeadlineRemainingKey} in the response headers");
        Assert.That(long.TryParse(remaining[0], out var ms) && ms is > 0 and <= 5_000, Is.True,
            $"the server sees '{remaining[0]}' ms left of a 5 s deadline: the deadline did not travel as grpc-timeout");
    }

    /// <summary>Writes one request and half-closes; a call that has already ended may refuse either (its status is checked by the caller).</summary>
    private static async Task WriteIgnoringTheEnd(IClientStreamWriter<StreamingOutputCallRequest> stream, StreamingOutputCallRequest request)
    {
        try
        {
            await stream.WriteAsync(request);
            await stream.CompleteAsync();
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task ExpectStatus(Func<Task> action, StatusCode code, string? detail, string what)
    {
        try
        {
            await action();
        }
        catch (RpcException ex)
        {
            Assert.That(ex.StatusCode, Is.EqualTo(code), $"{what}: status code (detail: '{ex.Status.Detail}')");
            if (detail is not null)
            {
                Assert.That(ex.Status.Detail, Is.EqualTo(detail), $"{what}: status message");
            }
            return;
        }
        Assert.Fail($"{what} succeeded; expected {code}.");
    }

    private static void CheckPayload(Payload? payload, int size, string what)
    {
        Assert.That(payload, Is.Not.Null, $"{what}: payload");
        Assert.That(payload!.Type, Is.EqualTo(PayloadType.Compressable), $"{what}: payload type");
        Assert.That(payload.Body.Length, Is.EqualTo(size), $"{what}: payload size");
        Assert.That(payload.Body.Span.IndexOfAnyExcept((byte)0), Is.EqualTo(-1), $"{what}: payload is all zeros");
    }
}
