using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>HTTP/2 frame types (RFC 9113, section 6).</summary>
internal enum FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    RstStream = 0x3,
    Settings = 0x4,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>HTTP/2 error codes (RFC 9113, section 7).</summary>
internal enum Http2Error : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    EnhanceYourCalm = 0xB,
}

/// <summary>What the server sent: a decoded header block, a DATA frame, a reset, a GOAWAY, or the end of the connection.</summary>
internal sealed record ServerFrame(FrameType Type, int StreamId, bool EndStream, byte[] Payload, IReadOnlyList<(string Name, string Value)>? Headers = null)
{
    public Http2Error ErrorCode => Type switch
    {
        FrameType.RstStream => (Http2Error)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        FrameType.GoAway => (Http2Error)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"A {Type} frame has no error code."),
    };

    public string? Header(string name) => Headers?.FirstOrDefault(h => h.Name == name).Value;

    public override string ToString() => Type switch
    {
        FrameType.Headers => $"HEADERS stream {StreamId}{(EndStream ? " END_STREAM" : "")}: {string.Join(", ", Headers!.Select(h => $"{h.Name}={h.Value}"))}",
        FrameType.RstStream or FrameType.GoAway => $"{Type} stream {StreamId}: {ErrorCode}",
        _ => $"{Type} stream {StreamId}, {Payload.Length} bytes{(EndStream ? " END_STREAM" : "")}",
    };
}

/// <summary>
/// A deliberately minimal HTTP/2 client over a raw socket, for sending what HttpClient would
/// never send (streams past the server's limit, oversized header blocks, garbage) and for
/// behaving like a peer that stops reading. It answers SETTINGS and PING, and returns flow
/// control credit for DATA only when asked to.
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    public const int MaxFrameSize = 16_384;
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly HpackDecoder decoder = new();
    private readonly Channel<ServerFrame> frames = Channel.CreateUnbounded<ServerFrame>();
    private readonly CancellationTokenSource stop = new();
    private readonly bool returnCredit;
    private Task reading = Task.CompletedTask;
    private int nextStreamId = 1;
    private int disposed;

    private RawHttp2Connection(Socket socket, bool returnCredit)
    {
        this.socket = socket;
        this.returnCredit = returnCredit;
        stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>Frames from the server, in arrival order (SETTINGS, PING and WINDOW_UPDATE are handled here and not listed).</summary>
    public ChannelReader<ServerFrame> Frames => frames.Reader;

    /// <summary>Connects, sends the preface and an empty SETTINGS frame, and starts reading.</summary>
    /// <param name="returnCredit">Whether received DATA is acknowledged with WINDOW_UPDATE, as a reading client does.</param>
    public static async Task<RawHttp2Connection> ConnectAsync(Uri address, bool returnCredit = true)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address.Host), address.Port));
        var connection = new RawHttp2Connection(socket, returnCredit);
        await connection.WriteRawAsync(Preface);
        await connection.WriteFrameAsync(FrameType.Settings, 0, 0, ReadOnlyMemory<byte>.Empty);
        connection.reading = Task.Run(connection.ReadLoopAsync);
        return connection;
    }

    public int NextStreamId() => Interlocked.Add(ref nextStreamId, 2) - 2;

    /// <summary>The request headers of a gRPC call to <paramref name="path"/>, plus any extra fields.</summary>
    public static List<(string Name, string Value)> GrpcRequestHeaders(Uri address, string path, params (string Name, string Value)[] extra)
    {
        var fields = new List<(string, string)>
        {
            (":method", "POST"),
            (":scheme", "http"),
            (":authority", address.Authority),
            (":path", path),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
        };
        fields.AddRange(extra);
        return fields;
    }

    /// <summary>Sends a header block, split into HEADERS and CONTINUATION frames as needed, in one write.</summary>
    public Task SendHeadersAsync(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream)
    {
        var block = HpackEncoder.Encode(fields);
        var frames = new List<byte>();
        var first = Math.Min(block.Length, MaxFrameSize);
        AppendFrame(frames, FrameType.Headers, (byte)((endStream ? 0x1 : 0) | (first == block.Length ? 0x4 : 0)), streamId, block.AsSpan(0, first));
        for (var offset = first; offset < block.Length; offset += MaxFrameSize)
        {
            var length = Math.Min(MaxFrameSize, block.Length - offset);
            AppendFrame(frames, FrameType.Continuation, (byte)(offset + length == block.Length ? 0x4 : 0), streamId, block.AsSpan(offset, length));
        }
        // One write: a server that rejects the block after its first frame then finds nothing
        // unread when it closes, so the connection ends with FIN and its GOAWAY is not lost to a reset.
        return WriteRawAsync(frames.ToArray());
    }

    public Task SendDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream) =>
        WriteFrameAsync(FrameType.Data, (byte)(endStream ? 0x1 : 0), streamId, data);

    public Task SendResetAsync(int streamId, Http2Error error)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)error);
        return WriteFrameAsync(FrameType.RstStream, 0, streamId, payload);
    }

    public async Task WriteFrameAsync(FrameType type, byte flags, int streamId, ReadOnlyMemory<byte> payload)
    {
        await writeLock.WaitAsync();
        try
        {
            await WriteFrameUnlockedAsync(type, flags, streamId, payload);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Bytes straight onto the socket: the preface, or garbage.</summary>
    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await writeLock.WaitAsync();
        try
        {
            await stream.WriteAsync(bytes);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>The next frame that matches, skipping others; null if the connection ends first.</summary>
    public async Task<ServerFrame?> WaitForAsync(Func<ServerFrame, bool> match, TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            while (await frames.Reader.WaitToReadAsync(timer.Token))
            {
                while (frames.Reader.TryRead(out var frame))
                {
                    if (match(frame))
                    {
                        return frame;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching HTTP/2 frame within {timeout.TotalSeconds} s.");
        }
        return null;
    }

    /// <summary>Whether the server has closed the connection (a read returns 0 or fails).</summary>
    public Task Closed => reading;

    /// <summary>Why reading stopped, if the connection failed rather than closed.</summary>
    public Exception? ReadError { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        stop.Cancel();
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        socket.Dispose();
        try
        {
            await reading;
        }
        catch (Exception)
        {
        }
        stop.Dispose();
    }

    private async Task WriteFrameUnlockedAsync(FrameType type, byte flags, int streamId, ReadOnlyMemory<byte> payload)
    {
        var frame = new List<byte>(9 + payload.Length);
        AppendFrame(frame, type, flags, streamId, payload.Span);
        await stream.WriteAsync(frame.ToArray());
    }

    private static void AppendFrame(List<byte> output, FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = (byte)type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId);
        output.AddRange(header);
        output.AddRange(payload);
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[9];
        var headerBlock = new List<byte>();
        var blockStream = 0;
        var blockEndStream = false;
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, stop.Token);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var type = (FrameType)header[3];
                var flags = header[4];
                var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, stop.Token);
                switch (type)
                {
                    case FrameType.Settings when (flags & 0x1) == 0:
                        await WriteFrameAsync(FrameType.Settings, 0x1, 0, ReadOnlyMemory<byte>.Empty);
                        break;
                    case FrameType.Ping when (flags & 0x1) == 0:
                        await WriteFrameAsync(FrameType.Ping, 0x1, 0, payload);
                        break;
                    case FrameType.Headers:
                        headerBlock.Clear();
                        headerBlock.AddRange(HeaderBlockFragment(payload, flags));
                        blockStream = streamId;
                        blockEndStream = (flags & 0x1) != 0;
                        if ((flags & 0x4) != 0)
                        {
                            frames.Writer.TryWrite(new ServerFrame(type, streamId, blockEndStream, [], decoder.Decode(headerBlock.ToArray())));
                        }
                        break;
                    case FrameType.Continuation:
                        headerBlock.AddRange(payload);
                        if ((flags & 0x4) != 0)
                        {
                            frames.Writer.TryWrite(new ServerFrame(FrameType.Headers, blockStream, blockEndStream, [], decoder.Decode(headerBlock.ToArray())));
                        }
                        break;
                    case FrameType.Data:
                        frames.Writer.TryWrite(new ServerFrame(type, streamId, (flags & 0x1) != 0, payload));
                        if (returnCredit && length > 0)
                        {
                            var increment = new byte[4];
                            BinaryPrimitives.WriteInt32BigEndian(increment, length);
                            await WriteFrameAsync(FrameType.WindowUpdate, 0, 0, increment);
                            if ((flags & 0x1) == 0)
                            {
                                await WriteFrameAsync(FrameType.WindowUpdate, 0, streamId, increment);
                            }
                        }
                        break;
                    case FrameType.RstStream:
                    case FrameType.GoAway:
                        frames.Writer.TryWrite(new ServerFrame(type, streamId, false, payload));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            ReadError = ex;
        }
        finally
        {
            frames.Writer.TryComplete();
        }
    }

    private static byte[] HeaderBlockFragment(byte[] payload, byte flags)
    {
        var start = 0;
        var end = payload.Length;
        if ((flags & 0x8) != 0)
        {
            start = 1;
            end -= payload[0];
        }
        if ((flags & 0x20) != 0)
        {
            start += 5;
        }
        return payload[start..end];
    }
}
