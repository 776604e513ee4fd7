using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>What the server side saw, shared by a host's services (registered as a singleton).</summary>
internal sealed class ServerProbe
{
    private readonly Dictionary<string, int> openPerConnection = new();
    private int handlersStarted;
    private long bytesWritten;
    private int maxOpenPerConnection;

    /// <summary>How many handlers have started: a request refused before its handler never counts.</summary>
    public int HandlersStarted => Volatile.Read(ref handlersStarted);

    /// <summary>Bytes of response messages whose WriteAsync has completed.</summary>
    public long BytesWritten => Interlocked.Read(ref bytesWritten);

    /// <summary>The most calls one connection (one client address and port) ever had open at once.</summary>
    public int MaxOpenPerConnection
    {
        get
        {
            lock (openPerConnection)
            {
                return maxOpenPerConnection;
            }
        }
    }

    public Metadata? LastRequestHeaders { get; private set; }

    public void Started(ServerCallContext context)
    {
        LastRequestHeaders = context.RequestHeaders;
        Interlocked.Increment(ref handlersStarted);
    }

    public void Wrote(int bytes) => Interlocked.Add(ref bytesWritten, bytes);

    public IDisposable Open(ServerCallContext context)
    {
        lock (openPerConnection)
        {
            var open = openPerConnection.GetValueOrDefault(context.Peer) + 1;
            openPerConnection[context.Peer] = open;
            maxOpenPerConnection = Math.Max(maxOpenPerConnection, open);
        }
        return new Closer(this, context.Peer);
    }

    private sealed class Closer(ServerProbe probe, string peer) : IDisposable
    {
        public void Dispose()
        {
            lock (probe.openPerConnection)
            {
                probe.openPerConnection[peer]--;
            }
        }
    }
}

/// <summary>The well-behaved service: echoes, sums, streams; counts the handlers that started.</summary>
internal sealed class EchoService(ServerProbe probe) : TestService.TestServiceBase
{
    public override Task<Payload> Unary(Payload request, ServerCallContext context)
    {
        probe.Started(context);
        return Task.FromResult(request);
    }

    public override async Task<StreamSummary> ClientStream(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
    {
        probe.Started(context);
        var summary = new StreamSummary();
        await foreach (var message in requestStream.ReadAllAsync())
        {
            summary.Count++;
            summary.TotalBytes += message.Data.Length;
            summary.Ids.Add(message.Id);
        }
        return summary;
    }

    /// <summary>Sends <c>count</c> messages of <c>size</c> bytes as fast as the client takes them.</summary>
    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        probe.Started(context);
        var data = ByteString.CopyFrom(new byte[request.Size]);
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Payload { Id = i, Data = data });
            probe.Wrote(request.Size);
        }
    }

    /// <summary>Sends its response headers at once, then echoes every message until the client ends the call.</summary>
    public override async Task Duplex(IAsyncStreamReader<Payload> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        probe.Started(context);
        using var open = probe.Open(context);
        await context.WriteResponseHeadersAsync(new Metadata());
        await foreach (var message in requestStream.ReadAllAsync())
        {
            await responseStream.WriteAsync(message);
        }
    }
}

/// <summary>A good call, to show a server still serves after bad input.</summary>
internal static class StillServing
{
    public static async Task AssertAsync(TestService.TestServiceClient client, string after)
    {
        var reply = await client.UnaryAsync(new Payload { Id = 7, Text = "still there?" }).ResponseAsync.Within($"a good call after {after}");
        Assert.That(reply.Text, Is.EqualTo("still there?"), $"the echo of a good call after {after}");
    }
}

internal static class PayloadBytes
{
    /// <summary>The message's protobuf bytes (Google.Protobuf's ToByteArray, without its namespace import).</summary>
    public static byte[] ToByteArrayCompat(this Payload payload) => Google.Protobuf.MessageExtensions.ToByteArray(payload);
}
