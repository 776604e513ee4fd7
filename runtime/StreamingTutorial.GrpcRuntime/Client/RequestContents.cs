using System.Net;

namespace StreamingTutorial.GrpcRuntime.Client;

/// <summary>The body of a unary or server-streaming request: one framed message.</summary>
internal sealed class SingleMessageContent(ReadOnlyMemory<byte> framedMessage) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(framedMessage, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = framedMessage.Length;
        return true;
    }
}

/// <summary>
/// The body of a client-streaming or bidirectional request. HttpClient calls
/// SerializeToStreamAsync once and the body lasts as long as that call does, so it hands the
/// stream to the call's writer and waits until the writer completes (or the call is aborted).
/// </summary>
internal sealed class RequestStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> streamSource = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completeSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The request body stream, once HttpClient has started sending.</summary>
    public Task<Stream> StreamTask => streamSource.Task;

    public bool IsCompleted => completeSource.Task.IsCompleted;

    /// <summary>Ends the request body: the server sees the end of the stream.</summary>
    public void Complete() => completeSource.TrySetResult();

    /// <summary>Ends the request body abnormally: HttpClient resets the stream.</summary>
    public void Abort()
    {
        streamSource.TrySetCanceled();
        completeSource.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Flushing at once puts the request HEADERS on the wire before the first message,
        // which a reused HTTP/2 connection needs to start the stream.
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        streamSource.TrySetResult(stream);
        // Not bound to HttpClient's token on purpose: when the server answers and resets the
        // request stream, that token fires, and ending the body with an error then would fail
        // SendAsync although the server's answer arrived. The call ends the body instead
        // (Complete, or Abort when the call finishes).
        await completeSource.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
