using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace StreamingTutorial.Interop.Tests.CSharp;

/// <summary>
/// grpc.testing.TestService on the workbook's runtime, as the interop test descriptions
/// (grpc/grpc doc/interop-test-descriptions.md, "Server") ask: payloads of zeros of the
/// requested sizes, response_status honoured, x-grpc-test-echo-initial echoed in the response
/// headers and x-grpc-test-echo-trailing-bin in the trailers. UnimplementedCall is left to the
/// generated base, which answers UNIMPLEMENTED.
/// </summary>
public sealed class InteropTestService : TestService.TestServiceBase
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";
    public const string EchoDeadlineKey = "x-interop-echo-deadline";
    public const string DeadlineRemainingKey = "x-interop-deadline-remaining-ms";

    /// <summary>The time left until <paramref name="deadline"/> in whole milliseconds, or "none" for a call without one.</summary>
    public static string DescribeDeadline(DateTime deadline) =>
        deadline == DateTime.MaxValue
            ? "none"
            : ((long)Math.Max(0, (deadline.ToUniversalTime() - DateTime.UtcNow).TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override async Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        return new Empty();
    }

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        ThrowIfAsked(request.ResponseStatus);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await WriteResponsesAsync(request, responseStream, context);
        ThrowIfAsked(request.ResponseStatus);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var total = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            total += request.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        // Each request is answered before the next one is read (ping-pong).
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await WriteResponsesAsync(request, responseStream, context);
            ThrowIfAsked(request.ResponseStatus);
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        // Answers only once the client has half-closed.
        var requests = new List<StreamingOutputCallRequest>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            requests.Add(request);
        }
        foreach (var request in requests)
        {
            await WriteResponsesAsync(request, responseStream, context);
            ThrowIfAsked(request.ResponseStatus);
        }
    }

    public static Payload Zeros(int size) => new() { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) });
        }
    }

    private static void ThrowIfAsked(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    /// <summary>
    /// Sends x-grpc-test-echo-initial back in the response headers (at once) and
    /// x-grpc-test-echo-trailing-bin in the trailers. Not in the spec: a request carrying
    /// x-interop-echo-deadline gets x-interop-deadline-remaining-ms in the response headers
    /// (the deadline_propagation probe, see peers/python/deadline_probe.py).
    /// </summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders.Where(e => e.Key == EchoInitialKey))
        {
            headers.Add(entry.Key, entry.Value);
        }
        if (context.RequestHeaders.Any(e => e.Key == EchoDeadlineKey))
        {
            headers.Add(DeadlineRemainingKey, DescribeDeadline(context.Deadline));
        }
        if (headers.Count > 0)
        {
            await context.WriteResponseHeadersAsync(headers);
        }
        foreach (var entry in context.RequestHeaders.Where(e => e.Key == EchoTrailingKey))
        {
            context.ResponseTrailers.Add(entry.Key, entry.ValueBytes);
        }
    }
}
