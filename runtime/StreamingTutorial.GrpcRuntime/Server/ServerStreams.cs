using Grpc.Core;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Server;

/// <summary>The request stream a client-streaming or bidirectional handler reads.</summary>
internal sealed class ServerStreamReader<T>(HttpContextServerCallContext context, Func<DeserializationContext, T> deserializer) : IAsyncStreamReader<T>
{
    private readonly MessageReader<T> reader = new(context.HttpContext.Request.BodyReader, deserializer, context.MaxReceiveMessageSize, "request");
    private int readInProgress;
    private bool ended;
    private T? current;

    public T Current => current ?? throw new InvalidOperationException("No current message: call MoveNext and check that it returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref readInProgress, 1, 0) != 0)
        {
            throw new InvalidOperationException("Can't read messages because the previous read is still in progress.");
        }
        try
        {
            if (ended)
            {
                return false;
            }
            // The usual token is none, or the call's own (ReadAllAsync(context.CancellationToken)):
            // neither needs a linked source per message.
            var callToken = context.CancellationToken;
            using var linked = cancellationToken.CanBeCanceled && cancellationToken != callToken
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken)
                : null;
            var (found, message) = await reader.ReadAsync(linked?.Token ?? callToken).ConfigureAwait(false);
            if (!found)
            {
                ended = true;
                current = default;
                return false;
            }
            current = message;
            return true;
        }
        finally
        {
            Volatile.Write(ref readInProgress, 0);
        }
    }
}

/// <summary>The response stream a server-streaming or bidirectional handler writes.</summary>
internal sealed class ServerStreamWriter<T>(HttpContextServerCallContext context, Action<T, SerializationContext> serializer) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => context.WriteOptions;
        set => context.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var flush = ((WriteOptions?.Flags ?? default) & WriteFlags.BufferHint) == 0;
        return WriteMessageAsync(context, serializer, message, flush, cancellationToken);
    }

    /// <summary>Writes one message to the response: headers first if not yet sent, then the frame, then a flush.</summary>
    internal static async Task WriteMessageAsync(HttpContextServerCallContext context, Action<T, SerializationContext> serializer, T message, bool flush, CancellationToken cancellationToken)
    {
        if (context.IsComplete)
        {
            throw new InvalidOperationException("Can't write the message because the call is complete.");
        }
        if (!context.TryBeginWrite())
        {
            throw new InvalidOperationException("Can't write the message because the previous write is in progress. A stream allows one write at a time: await each WriteAsync before the next.");
        }
        try
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            cancellationToken.ThrowIfCancellationRequested();
            context.PrepareResponse();
            var writer = context.HttpContext.Response.BodyWriter;
            context.SerializationContext.WriteMessage(writer, message, serializer, context.MaxSendMessageSize);
            if (flush)
            {
                var callToken = context.CancellationToken;
                using var linked = cancellationToken.CanBeCanceled && cancellationToken != callToken
                    ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken)
                    : null;
                await writer.FlushAsync(linked?.Token ?? callToken).ConfigureAwait(false);
            }
        }
        finally
        {
            context.EndWrite();
        }
    }
}
