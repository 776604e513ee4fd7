using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StreamingTutorial.Bench.Protos;

namespace StreamingTutorial.Bench.HotPaths;

/// <summary>Marshalling exactly as Grpc.Tools generates it for a Google.Protobuf message.</summary>
internal static class PayloadMarshalling
{
    public static readonly Action<Payload, SerializationContext> Serialize = (message, context) =>
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    };

    public static readonly Func<DeserializationContext, Payload> Deserialize = context =>
        Payload.Parser.ParseFrom(context.PayloadAsReadOnlySequence());

    public static readonly Marshaller<Payload> Marshaller = Marshallers.Create(Serialize, Deserialize);

    public static Payload Message(int size) => new() { Data = ByteString.CopyFrom(new byte[size]) };

    /// <summary>One message with its 5-byte gRPC prefix, as it travels on the wire.</summary>
    public static byte[] Framed(Payload message)
    {
        var payload = message.ToByteArray();
        var framed = new byte[5 + payload.Length];
        framed[4] = (byte)payload.Length;
        framed[3] = (byte)(payload.Length >> 8);
        framed[2] = (byte)(payload.Length >> 16);
        framed[1] = (byte)(payload.Length >> 24);
        payload.CopyTo(framed, 5);
        return framed;
    }
}

/// <summary>A request body that never ends: every read returns the same framed message again.</summary>
internal sealed class RepeatingPipeReader(byte[] framed) : PipeReader
{
    private readonly ReadOnlySequence<byte> message = new(framed);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        new(new ReadResult(message, isCanceled: false, isCompleted: false));

    public override bool TryRead(out ReadResult result)
    {
        result = new ReadResult(message, false, false);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
    }

    public override void CancelPendingRead()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}

/// <summary>A response body that throws away what is flushed, reusing one buffer.</summary>
internal sealed class DiscardingPipeWriter : PipeWriter
{
    private byte[] buffer = new byte[4096];

    public long Flushed { get; private set; }

    public override void Advance(int bytes) => Flushed += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > buffer.Length)
        {
            buffer = new byte[sizeHint];
        }
        return buffer;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, false));

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}

/// <summary>The features of an HTTP/2 request that a gRPC call's server side uses, over in-memory bodies.</summary>
internal sealed class FakeHttpFeatures(PipeReader requestBody, PipeWriter responseBody)
    : IHttpResponseFeature, IHttpResponseBodyFeature, IRequestBodyPipeFeature, IHttpResponseTrailersFeature
{
    private StartingWriter? writer;

    public static HttpContext CreateContext(PipeReader requestBody, PipeWriter responseBody)
    {
        var features = new FakeHttpFeatures(requestBody, responseBody);
        var context = new DefaultHttpContext();
        context.Request.Protocol = "HTTP/2";
        context.Request.ContentType = "application/grpc";
        context.Features.Set<IHttpResponseFeature>(features);
        context.Features.Set<IHttpResponseBodyFeature>(features);
        context.Features.Set<IRequestBodyPipeFeature>(features);
        context.Features.Set<IHttpResponseTrailersFeature>(features);
        return context;
    }

    // IHttpResponseFeature: started once the first flush has happened, as on Kestrel.
    public int StatusCode { get; set; } = 200;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    public Stream Body { get; set; } = Stream.Null;

    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
    }

    public void OnCompleted(Func<object, Task> callback, object state)
    {
    }

    // IHttpResponseBodyFeature
    public Stream Stream => Stream.Null;

    public PipeWriter Writer => writer ??= new StartingWriter(this, responseBody);

    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        HasStarted = true;
        return Task.CompletedTask;
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task CompleteAsync() => Task.CompletedTask;

    // IRequestBodyPipeFeature
    public PipeReader Reader => requestBody;

    // IHttpResponseTrailersFeature
    public IHeaderDictionary Trailers { get; set; } = new HeaderDictionary();

    // Kestrel's response counts as started once its first bytes are flushed.
    private sealed class StartingWriter(FakeHttpFeatures features, PipeWriter inner) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            features.HasStarted = true;
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}

/// <summary>
/// An HTTP handler with no network: a streaming request body is copied into a stream that
/// discards it, and a unary request gets a canned response at once (one framed message and
/// grpc-status 0 in the trailers).
/// </summary>
internal sealed class InMemoryHandler(byte[] framedResponse) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A streaming request body lasts as long as the call writes it.
        await request.Content!.CopyToAsync(Stream.Null, cancellationToken);
        var content = new ByteArrayContent(framedResponse);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Version = HttpVersion.Version20,
            Content = content,
            RequestMessage = request,
        };
        response.TrailingHeaders.TryAddWithoutValidation("grpc-status", "0");
        return response;
    }
}
