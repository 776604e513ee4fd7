using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

// Services the runtime tests call. Each class has one behaviour, so a test maps exactly the
// behaviour it checks. Services get a fresh instance per call, so whatever a test needs to see
// from the server side goes through a ServerProbe registered as a DI singleton.

/// <summary>What the server side of a call saw, for a test to check; one per test host.</summary>
public sealed class ServerProbe
{
    private Metadata? requestHeaders;
    private long deadline = DateTime.MaxValue.ToBinary();
    private int calls;

    /// <summary>Set once a handler is running (after it recorded the deadline and headers).</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when a handler saw its ServerCallContext.CancellationToken fire.</summary>
    public TaskCompletionSource CancellationObserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>ServerCallContext.Deadline as the handler saw it (kind included).</summary>
    public DateTime Deadline => DateTime.FromBinary(Interlocked.Read(ref deadline));

    public Metadata RequestHeaders => Volatile.Read(ref requestHeaders) ?? throw new InvalidOperationException("No handler has recorded request headers.");

    public int Calls => Volatile.Read(ref calls);

    /// <summary>Copies what a test may ask about later: the context itself belongs to the runtime.</summary>
    public void Record(ServerCallContext context)
    {
        Interlocked.Increment(ref calls);
        Interlocked.Exchange(ref deadline, context.Deadline.ToBinary());
        var copy = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            copy.Add(entry);
        }
        Volatile.Write(ref requestHeaders, copy);
    }

    /// <summary>Records the call, reports it started, and waits for the call's cancellation.</summary>
    public async Task HangUntilCancelledAsync(ServerCallContext context)
    {
        Record(context);
        Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            CancellationObserved.TrySetResult();
            throw;
        }
    }
}

/// <summary>Counts constructor calls, to show the runtime activates a service per call.</summary>
public sealed class ActivationCounter
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public int Next() => Interlocked.Increment(ref count);
}

/// <summary>Echoes and counts: the well-behaved service.</summary>
public sealed class EchoService : TestService.TestServiceBase
{
    public override Task<Payload> Unary(Payload request, ServerCallContext context) => Task.FromResult(request);

    /// <summary>Sends <c>count</c> messages of <c>size</c> bytes with ids 0, 1, 2...</summary>
    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        var data = TestData.Bytes(request.Size);
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Payload { Id = i, Data = data });
        }
    }

    public override async Task<StreamSummary> ClientStream(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
    {
        var summary = new StreamSummary();
        await foreach (var message in requestStream.ReadAllAsync())
        {
            summary.Count++;
            summary.TotalBytes += message.Data.Length;
            summary.Ids.Add(message.Id);
        }
        return summary;
    }

    public override async Task Duplex(IAsyncStreamReader<Payload> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        await foreach (var message in requestStream.ReadAllAsync())
        {
            await responseStream.WriteAsync(message);
        }
    }
}

/// <summary>Every method waits for the call's cancellation; the server stream first sends <c>count</c> messages.</summary>
public sealed class HangingService(ServerProbe probe) : TestService.TestServiceBase
{
    public override async Task<Payload> Unary(Payload request, ServerCallContext context)
    {
        await probe.HangUntilCancelledAsync(context);
        return request;
    }

    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Payload { Id = i });
        }
        await probe.HangUntilCancelledAsync(context);
    }

    public override async Task<StreamSummary> ClientStream(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
    {
        await probe.HangUntilCancelledAsync(context);
        return new StreamSummary();
    }

    public override async Task Duplex(IAsyncStreamReader<Payload> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context) =>
        await probe.HangUntilCancelledAsync(context);
}

/// <summary>Handlers that fail: with a plain exception, or mid-stream with a chosen status and trailers.</summary>
public sealed class FailingService : TestService.TestServiceBase
{
    /// <summary>StreamRequest.text that makes the server stream fail with an RpcException rather than a plain exception.</summary>
    public const string FailWithRpcException = "rpc-exception";

    public const string SecretText = "connection string Password=hunter2";
    public const string MidStreamDetail = "lost the stream after 3 messages";
    public static readonly byte[] FailureBytes = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF];

    public override Task<Payload> Unary(Payload request, ServerCallContext context) =>
        throw new InvalidOperationException(SecretText);

    /// <summary>Sends 3 messages, then fails.</summary>
    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < 3; i++)
        {
            await responseStream.WriteAsync(new Payload { Id = i });
        }
        if (request.Text == FailWithRpcException)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, MidStreamDetail), new Metadata
            {
                { "x-failure-reason", "mid-stream" },
                { "x-failure-bin", FailureBytes },
            });
        }
        throw new InvalidOperationException(SecretText);
    }
}

/// <summary>Ends a client stream after its first message, while the client may still be writing.</summary>
public sealed class EarlyEndService : TestService.TestServiceBase
{
    public const string Detail = "one message is enough";

    public override async Task<StreamSummary> ClientStream(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(CancellationToken.None))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "expected at least one message"));
        }
        throw new RpcException(new Status(StatusCode.FailedPrecondition, Detail));
    }
}

/// <summary>Fails with a status message full of whitespace and non-ASCII characters.</summary>
public sealed class StatusDetailService : TestService.TestServiceBase
{
    // The interop suite's special_status_message case.
    public const string Detail = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

    /// <summary>Fails before any message: the status travels in a trailers-only response.</summary>
    public override Task<Payload> Unary(Payload request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.InvalidArgument, Detail));

    /// <summary>Fails after one message: the status travels in real trailers.</summary>
    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        await responseStream.WriteAsync(new Payload { Id = 1 });
        throw new RpcException(new Status(StatusCode.InvalidArgument, Detail));
    }
}

/// <summary>Records request headers and answers with custom response headers and trailers, text and binary.</summary>
public sealed class MetadataService(ServerProbe probe) : TestService.TestServiceBase
{
    /// <summary>Payload.text / StreamRequest.text that makes the call fail after setting its trailers.</summary>
    public const string Fail = "fail";

    public const string HeaderText = "header value";
    public const string TrailerText = "trailer value";
    public const string FailureDetail = "failed on purpose, with trailers";
    public static readonly byte[] HeaderBytes = [0x00, 0x10, 0x7F, 0x80, 0xFF];
    public static readonly byte[] TrailerBytes = [0xFF, 0xFE, 0x00, 0x0A, 0x0D];
    public static readonly byte[] ErrorBytes = [0xDE, 0xAD, 0xBE, 0xEF, 0x00];

    public override async Task<Payload> Unary(Payload request, ServerCallContext context)
    {
        await AnswerAsync(context, request.Text);
        return request;
    }

    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        probe.Record(context);
        await context.WriteResponseHeadersAsync(ResponseHeaders());
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Payload { Id = i });
        }
        AddTrailersOrFail(context, request.Text);
    }

    private async Task AnswerAsync(ServerCallContext context, string mode)
    {
        probe.Record(context);
        if (mode != Fail)
        {
            await context.WriteResponseHeadersAsync(ResponseHeaders());
        }
        AddTrailersOrFail(context, mode);
    }

    private static void AddTrailersOrFail(ServerCallContext context, string mode)
    {
        context.ResponseTrailers.Add("x-trailer-text", TrailerText);
        context.ResponseTrailers.Add("x-trailer-bin", TrailerBytes);
        if (mode == Fail)
        {
            // Trailers set on the context and trailers carried by the exception both reach the client.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, FailureDetail), new Metadata { { "x-error-bin", ErrorBytes } });
        }
    }

    private static Metadata ResponseHeaders() => new()
    {
        { "x-header-text", HeaderText },
        { "x-header-bin", HeaderBytes },
    };
}

/// <summary>A service with a constructor dependency; answers with its instance number.</summary>
public sealed class CountedService : TestService.TestServiceBase
{
    private readonly int instance;

    public CountedService(ActivationCounter counter)
    {
        instance = counter.Next();
    }

    public override Task<Payload> Unary(Payload request, ServerCallContext context) => Task.FromResult(new Payload { Id = instance });
}

/// <summary>Overrides only Implemented: NotImplemented stays the generated base's UNIMPLEMENTED.</summary>
public sealed class PartialServiceImpl : PartialService.PartialServiceBase
{
    public override Task<Payload> Implemented(Payload request, ServerCallContext context) => Task.FromResult(request);
}

/// <summary>Deterministic test data, so a corrupted byte is caught.</summary>
public static class TestData
{
    public static ByteString Bytes(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return ByteString.CopyFrom(bytes);
    }
}
