namespace Grpc.Core;

/// <summary>Options for one call: headers, deadline, cancellation and write options.</summary>
public readonly struct CallOptions
{
    private const int WaitForReadyFlag = 1;
    private readonly int flags;

    public CallOptions(
        Metadata? headers = null,
        DateTime? deadline = null,
        CancellationToken cancellationToken = default,
        WriteOptions? writeOptions = null,
        ContextPropagationToken? propagationToken = null)
        : this(headers, deadline, cancellationToken, writeOptions, propagationToken, 0)
    {
    }

    private CallOptions(Metadata? headers, DateTime? deadline, CancellationToken cancellationToken, WriteOptions? writeOptions, ContextPropagationToken? propagationToken, int flags)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        WriteOptions = writeOptions;
        PropagationToken = propagationToken;
        this.flags = flags;
    }

    public Metadata? Headers { get; }

    public DateTime? Deadline { get; }

    public CancellationToken CancellationToken { get; }

    public WriteOptions? WriteOptions { get; }

    public ContextPropagationToken? PropagationToken { get; }

    public bool IsWaitForReady => (flags & WaitForReadyFlag) != 0;

    public CallOptions WithHeaders(Metadata headers) => new(headers, Deadline, CancellationToken, WriteOptions, PropagationToken, flags);

    public CallOptions WithDeadline(DateTime deadline) => new(Headers, deadline, CancellationToken, WriteOptions, PropagationToken, flags);

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => new(Headers, Deadline, cancellationToken, WriteOptions, PropagationToken, flags);

    public CallOptions WithWriteOptions(WriteOptions writeOptions) => new(Headers, Deadline, CancellationToken, writeOptions, PropagationToken, flags);

    public CallOptions WithPropagationToken(ContextPropagationToken propagationToken) => new(Headers, Deadline, CancellationToken, WriteOptions, propagationToken, flags);

    public CallOptions WithWaitForReady(bool waitForReady = true) =>
        new(Headers, Deadline, CancellationToken, WriteOptions, PropagationToken, waitForReady ? flags | WaitForReadyFlag : flags & ~WaitForReadyFlag);
}

/// <summary>Flags for writing one message.</summary>
[Flags]
public enum WriteFlags
{
    BufferHint = 0x1,
    NoCompress = 0x2,
}

/// <summary>Options for writing messages to a stream.</summary>
public class WriteOptions
{
    public static readonly WriteOptions Default = new();

    public WriteOptions(WriteFlags flags = default)
    {
        Flags = flags;
    }

    public WriteFlags Flags { get; }
}

/// <summary>
/// Carries a server call's deadline and cancellation into the calls it makes. The bundled
/// runtime does not propagate context: creating a token throws NotSupportedException.
/// </summary>
public abstract class ContextPropagationToken
{
    internal ContextPropagationToken()
    {
    }
}

/// <summary>What a propagation token carries.</summary>
public class ContextPropagationOptions
{
    public static readonly ContextPropagationOptions Default = new();

    public ContextPropagationOptions(bool propagateDeadline = true, bool propagateCancellation = true)
    {
        IsPropagateDeadline = propagateDeadline;
        IsPropagateCancellation = propagateCancellation;
    }

    public bool IsPropagateDeadline { get; }

    public bool IsPropagateCancellation { get; }
}
