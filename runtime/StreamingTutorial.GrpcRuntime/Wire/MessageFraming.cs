using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Grpc.Core;

namespace StreamingTutorial.GrpcRuntime.Wire;

/// <summary>
/// Writes one length-prefixed message into a buffer writer. When the serializer announces the
/// payload length first (as Google.Protobuf's generated code does), the payload is serialized
/// straight into the output with no copy; otherwise it is buffered and copied once.
/// One instance serves every message of a call (one at a time).
/// </summary>
internal sealed class FramingSerializationContext : SerializationContext
{
    // Larger messages are written in pieces rather than asking a pool for one huge buffer.
    private const int MaxContiguousPayload = 4 * 1024 * 1024;

    private readonly CountingBufferWriter counter = new();
    private IBufferWriter<byte> output = null!;
    private ArrayBufferWriter<byte>? scratch;
    private int? maxSize;
    private int declaredLength;
    private bool completed;

    public int PayloadLength { get; private set; }

    public void WriteMessage<T>(IBufferWriter<byte> destination, T message, Action<T, SerializationContext> serializer, int? maxSendSize)
    {
        output = destination;
        maxSize = maxSendSize;
        declaredLength = -1;
        completed = false;
        PayloadLength = 0;
        scratch?.ResetWrittenCount();
        serializer(message, this);
        if (!completed)
        {
            throw new InvalidOperationException("The message serializer did not call Complete on its SerializationContext.");
        }
    }

    public override void SetPayloadLength(int payloadLength)
    {
        CheckSize(payloadLength);
        // Ask for room for the whole message at once: the serializer then writes it into one
        // contiguous buffer, and a stream-backed pipe hands it to the stream in one write
        // instead of one write per small pooled segment.
        var header = output.GetSpan(GrpcProtocol.HeaderSize + Math.Min(payloadLength, MaxContiguousPayload));
        GrpcProtocol.WriteHeader(header, compressed: false, payloadLength);
        output.Advance(GrpcProtocol.HeaderSize);
        declaredLength = payloadLength;
    }

    public override IBufferWriter<byte> GetBufferWriter()
    {
        if (declaredLength >= 0)
        {
            counter.Reset(output);
            return counter;
        }
        return scratch ??= new ArrayBufferWriter<byte>();
    }

    public override void Complete()
    {
        if (declaredLength >= 0)
        {
            if (counter.Written != declaredLength)
            {
                throw new InvalidOperationException($"The serializer announced {declaredLength} bytes but wrote {counter.Written}.");
            }
            PayloadLength = declaredLength;
        }
        else
        {
            WriteWhole(scratch is null ? ReadOnlySpan<byte>.Empty : scratch.WrittenSpan);
        }
        completed = true;
    }

    public override void Complete(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        WriteWhole(payload);
        completed = true;
    }

    private void WriteWhole(ReadOnlySpan<byte> payload)
    {
        CheckSize(payload.Length);
        var header = output.GetSpan(GrpcProtocol.HeaderSize);
        GrpcProtocol.WriteHeader(header, compressed: false, payload.Length);
        output.Advance(GrpcProtocol.HeaderSize);
        output.Write(payload);
        PayloadLength = payload.Length;
    }

    private void CheckSize(int payloadLength)
    {
        if (payloadLength > maxSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({payloadLength} > {maxSize} bytes)."));
        }
    }

    // Passes writes through and counts them, so Complete can check the announced length.
    private sealed class CountingBufferWriter : IBufferWriter<byte>
    {
        private IBufferWriter<byte> inner = null!;

        public long Written { get; private set; }

        public void Reset(IBufferWriter<byte> writer)
        {
            inner = writer;
            Written = 0;
        }

        public void Advance(int count)
        {
            inner.Advance(count);
            Written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}

/// <summary>Gives a deserializer one payload that lives in a pipe's buffers.</summary>
internal sealed class SequenceDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> payload;

    public void SetPayload(ReadOnlySequence<byte> value) => payload = value;

    public override int PayloadLength => (int)payload.Length;

    public override byte[] PayloadAsNewBuffer() => payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => payload;
}

/// <summary>Why a message could not be read: the call ends with this status.</summary>
internal sealed class MessageReadException(Status status) : Exception(status.Detail)
{
    public Status Status { get; } = status;
}

/// <summary>Reads length-prefixed messages from a pipe, on the server (request body) and the client (response body).</summary>
internal sealed class MessageReader<T>(PipeReader reader, Func<DeserializationContext, T> deserializer, int? maxReceiveSize, string peerRole)
{
    private readonly SequenceDeserializationContext context = new();

    /// <summary>The next message, or default at a clean end of stream.</summary>
    /// <remarks>Awaited once per message, one at a time, so the state machine can come from a pool
    /// instead of being allocated whenever a read has to wait for data.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(bool Found, T? Message)> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                var compressed = buffer.FirstSpan.Length > 0 ? buffer.FirstSpan[0] : buffer.Slice(0, 1).ToArray()[0];
                var length = GrpcProtocol.ReadLength(buffer);
                if (length > maxReceiveSize)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new MessageReadException(new Status(StatusCode.ResourceExhausted,
                        $"Received message exceeds the maximum configured message size ({length} > {maxReceiveSize} bytes)."));
                }
                if (compressed > 1)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new MessageReadException(new Status(StatusCode.Internal, $"Invalid compressed flag {compressed} in the {peerRole} message header."));
                }
                if (compressed == 1)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new MessageReadException(new Status(StatusCode.Internal,
                        $"The {peerRole} sent a compressed message, but no grpc-encoding was agreed: this runtime supports only identity encoding."));
                }
                if (buffer.Length >= GrpcProtocol.HeaderSize + (long)length)
                {
                    var payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
                    T message;
                    try
                    {
                        context.SetPayload(payload);
                        message = deserializer(context);
                    }
                    catch (Exception ex)
                    {
                        reader.AdvanceTo(buffer.Start);
                        throw new MessageReadException(new Status(StatusCode.Internal, $"Failed to deserialize the {peerRole} message.", ex));
                    }
                    finally
                    {
                        context.SetPayload(default);
                    }
                    reader.AdvanceTo(payload.End);
                    return (true, message);
                }
            }
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (buffer.Length == 0)
                {
                    return (false, default);
                }
                throw new MessageReadException(new Status(StatusCode.Internal, $"The {peerRole} stream ended in the middle of a message."));
            }
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException(cancellationToken);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
