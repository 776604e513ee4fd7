using System.Buffers;
using BenchmarkDotNet.Attributes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using StreamingTutorial.Bench.Protos;
using StreamingTutorial.GrpcRuntime.Server;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.Bench.HotPaths;

/// <summary>The 5-byte prefix and the message, written into a buffer writer and read back from a pipe.</summary>
[MemoryDiagnoser]
public class Framing
{
    private readonly FramingSerializationContext context = new();
    private readonly ArrayBufferWriter<byte> output = new();
    private Payload message = null!;
    private MessageReader<Payload> reader = null!;

    [Params(100, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        message = PayloadMarshalling.Message(Size);
        reader = new MessageReader<Payload>(new RepeatingPipeReader(PayloadMarshalling.Framed(message)), PayloadMarshalling.Deserialize, 4 << 20, "request");
    }

    /// <summary>Serializing into the pipe: prefix and payload, straight into the output.</summary>
    [Benchmark]
    public int WriteMessage()
    {
        output.ResetWrittenCount();
        context.WriteMessage(output, message, PayloadMarshalling.Serialize, null);
        return output.WrittenCount;
    }

    /// <summary>Reading one message: prefix checks and deserialization (which allocates the message itself).</summary>
    [Benchmark]
    public async Task<Payload?> ReadMessage() => (await reader.ReadAsync(CancellationToken.None)).Message;
}

/// <summary>The server's request reader and response writer of a streaming call, over in-memory bodies.</summary>
[MemoryDiagnoser]
public class ServerLoops
{
    private HttpContextServerCallContext context = null!;
    private ServerStreamWriter<Payload> writer = null!;
    private ServerStreamReader<Payload> reader = null!;
    private Payload message = null!;

    [Params(100)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        message = PayloadMarshalling.Message(Size);
        var http = FakeHttpFeatures.CreateContext(new RepeatingPipeReader(PayloadMarshalling.Framed(message)), new DiscardingPipeWriter());
        var method = new Method<Payload, Payload>(MethodType.DuplexStreaming, "bench.BenchService", "PingPong", PayloadMarshalling.Marshaller, PayloadMarshalling.Marshaller);
        context = new HttpContextServerCallContext(http, method, new GrpcServiceOptions(), NullLogger.Instance);
        context.Initialize();
        writer = new ServerStreamWriter<Payload>(context, PayloadMarshalling.Serialize);
        reader = new ServerStreamReader<Payload>(context, PayloadMarshalling.Deserialize);
    }

    [GlobalCleanup]
    public void Cleanup() => context.Dispose();

    /// <summary>IServerStreamWriter.WriteAsync: frame, serialize into the response pipe, flush.</summary>
    [Benchmark]
    public Task Write() => writer.WriteAsync(message);

    /// <summary>IAsyncStreamReader.MoveNext with no token of its own.</summary>
    [Benchmark]
    public Task<bool> MoveNext() => reader.MoveNext(CancellationToken.None);

    /// <summary>MoveNext with the call's own token, as <c>ReadAllAsync(context.CancellationToken)</c> passes it.</summary>
    [Benchmark]
    public Task<bool> MoveNextWithCallToken() => reader.MoveNext(context.CancellationToken);
}

/// <summary>The client's side of a call, over an HTTP handler with no network.</summary>
[MemoryDiagnoser]
public class ClientCalls
{
    private GrpcChannel channel = null!;
    private BenchService.BenchServiceClient client = null!;
    private AsyncClientStreamingCall<Payload, UploadSummary> upload = null!;
    private Payload message = null!;

    [Params(100)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        message = PayloadMarshalling.Message(Size);
        channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new InMemoryHandler(PayloadMarshalling.Framed(message)),
            DisposeHttpClient = true,
        });
        client = new BenchService.BenchServiceClient(channel);
        upload = client.Upload();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        upload.Dispose();
        channel.Dispose();
    }

    /// <summary>IClientStreamWriter.WriteAsync: serialize into the request content's pipe and flush it to the body stream.</summary>
    [Benchmark]
    public Task RequestStreamWrite() => upload.RequestStream.WriteAsync(message);

    /// <summary>A whole unary call: request message, headers, response message, trailers.</summary>
    [Benchmark]
    public async Task<Payload> UnaryCall() => await client.EchoAsync(message);
}
