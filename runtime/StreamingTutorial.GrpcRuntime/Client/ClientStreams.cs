using System.IO.Pipelines;
using Grpc.Core;

namespace StreamingTutorial.GrpcRuntime.Client;

/// <summary>The request stream of a client-streaming or bidirectional call.</summary>
internal sealed class ClientStreamWriter<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, Method<TRequest, TResponse> method, WriteOptions? writeOptions)
    : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    private PipeWriter? pipe;
    private int writeInProgress;
    private bool completed;

    public WriteOptions? WriteOptions { get; set; } = writeOptions;

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (completed)
        {
            throw new InvalidOperationException("Request stream has already been completed.");
        }
        if (Interlocked.CompareExchange(ref writeInProgress, 1, 0) != 0)
        {
            throw new InvalidOperationException("Can't write the message because the previous write is in progress. A stream allows one write at a time: await each WriteAsync before the next.");
        }
        try
        {
            ThrowIfCallFinished();
            var content = call.RequestContent!;
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CallToken)
                : null;
            var token = linked?.Token ?? call.CallToken;
            if (pipe is null)
            {
                var stream = await content.StreamTask.WaitAsync(token).ConfigureAwait(false);
                pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            }
            call.RequestSerializer.WriteMessage(pipe, message, method.RequestMarshaller.ContextualSerializer, call.MaxSendMessageSize);
            if (((WriteOptions?.Flags ?? default) & WriteFlags.BufferHint) == 0)
            {
                // The pipe's flush writes to the request stream and flushes it: a DATA frame per message.
                await pipe.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && call.FinalStatus is null)
        {
            call.Cancel(new Status(StatusCode.Cancelled, "Call canceled by the client."));
            throw call.CreateException();
        }
        // Our own usage errors are InvalidOperationException and pass through; a disposed
        // HTTP/2 stream (also an InvalidOperationException) is a transport failure.
        catch (Exception ex) when (ex is ObjectDisposedException || ex is not InvalidOperationException and not RpcException)
        {
            throw await call.WriteFailedAsync(ex, "Error writing a request message").ConfigureAwait(false);
        }
        catch (RpcException ex) when (call.FinalStatus is null)
        {
            // A message over the send limit: the call ends with the writer's status.
            call.Cancel(ex.Status);
            throw call.CreateException();
        }
        finally
        {
            Volatile.Write(ref writeInProgress, 0);
        }
    }

    public async Task CompleteAsync()
    {
        if (Volatile.Read(ref writeInProgress) != 0)
        {
            throw new InvalidOperationException("Can't complete the request stream because a write is in progress.");
        }
        if (completed)
        {
            return;
        }
        completed = true;
        if (call.FinalStatus is not null)
        {
            return;
        }
        if (pipe is not null)
        {
            // Whatever BufferHint held back goes out before the end of the stream.
            try
            {
                await pipe.FlushAsync(call.CallToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw await call.WriteFailedAsync(ex, "Error completing the request stream").ConfigureAwait(false);
            }
        }
        call.RequestContent!.Complete();
    }

    private void ThrowIfCallFinished()
    {
        if (call.FinalStatus is { } status)
        {
            throw status.StatusCode == StatusCode.OK
                ? new InvalidOperationException("Can't write the message because the call is complete.")
                : call.CreateException();
        }
    }
}

/// <summary>The response stream of a server-streaming or bidirectional call.</summary>
internal sealed class ClientStreamReader<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private TResponse? current;
    private int readInProgress;

    public TResponse Current => current ?? throw new InvalidOperationException("No current message: call MoveNext and check that it returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref readInProgress, 1, 0) != 0)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }
        try
        {
            var (found, message) = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            current = found ? message : null;
            return found;
        }
        finally
        {
            Volatile.Write(ref readInProgress, 0);
        }
    }
}
