using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace StreamingTutorial.DemoHost.Wire;

/// <summary>
/// The client's side of <c>--wire</c>: an interceptor sees each call's messages and outcome, a
/// <see cref="DelegatingHandler"/> on the channel's HttpClient sees the HTTP/2 request it
/// becomes (headers, response headers, trailers, the reset when it is cancelled), and
/// grpc-dotnet's client log says what the client library does. The interceptor numbers the
/// calls; the handler and the log find the number through the call's execution context.
/// </summary>
public sealed class ClientWire(WireTrace trace) : Interceptor
{
    public const string GrpcClientCategory = "Grpc.Net.Client";

    private readonly AsyncLocal<string?> current = new();
    private readonly HashSet<string> active = [];
    private int callCount;

    public WireTrace Trace => trace;

    /// <summary>
    /// The call whose execution context this is; or, for the client library's timers (a deadline),
    /// which run outside any call's context, the one call in flight if there is exactly one.
    /// </summary>
    public string? CurrentLabel
    {
        get
        {
            if (current.Value is { } label)
            {
                return label;
            }
            lock (active)
            {
                return active.Count == 1 ? active.First() : null;
            }
        }
    }

    /// <summary>Marks the call as ended; false if it already was (so each end is told once).</summary>
    internal bool Done(string label)
    {
        lock (active)
        {
            return active.Remove(label);
        }
    }

    /// <summary>A call disposed before its end: grpc-dotnet cancels it, and HttpClient resets its HTTP/2 stream.</summary>
    private Action Disposing(string label, Action dispose) => () =>
    {
        if (Done(label))
        {
            trace.Line(label, "-> RST_STREAM (CANCEL): the call is disposed before its end, so the client resets its stream");
        }
        dispose();
    };

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var label = Begin(context.Method);
        trace.Line(label, $"-> message 1: {WireTrace.Describe(request)}");
        var call = Within(label, () => continuation(request, context));
        return new AsyncUnaryCall<TResponse>(Response(label, call.ResponseAsync, call.GetStatus, call.GetTrailers), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, Disposing(label, call.Dispose));
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var label = Begin(context.Method);
        trace.Line(label, $"-> message 1: {WireTrace.Describe(request)}");
        var call = Within(label, () => continuation(request, context));
        return new AsyncServerStreamingCall<TResponse>(new Reader<TResponse>(this, label, call.ResponseStream, call.GetStatus, call.GetTrailers), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, Disposing(label, call.Dispose));
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var label = Begin(context.Method);
        var call = Within(label, () => continuation(context));
        return new AsyncClientStreamingCall<TRequest, TResponse>(new Writer<TRequest>(this, label, call.RequestStream), Response(label, call.ResponseAsync, call.GetStatus, call.GetTrailers), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, Disposing(label, call.Dispose));
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var label = Begin(context.Method);
        var call = Within(label, () => continuation(context));
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new Writer<TRequest>(this, label, call.RequestStream), new Reader<TResponse>(this, label, call.ResponseStream, call.GetStatus, call.GetTrailers), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, Disposing(label, call.Dispose));
    }

    private string Begin(IMethod method)
    {
        var label = $"#{Interlocked.Increment(ref callCount)}";
        lock (active)
        {
            active.Add(label);
        }
        trace.Line(label, $"{method.Type} call {method.FullName}");
        return label;
    }

    /// <summary>Starts the call with its label in the execution context, so the handler and the log see it, and leaves the caller's as it was.</summary>
    private T Within<T>(string label, Func<T> start)
    {
        var previous = current.Value;
        current.Value = label;
        try
        {
            return start();
        }
        finally
        {
            current.Value = previous;
        }
    }

    private async Task<TResponse> Response<TResponse>(string label, Task<TResponse> response, Func<Status> status, Func<Metadata> trailers)
    {
        try
        {
            var message = await response;
            trace.Line(label, $"<- message 1: {WireTrace.Describe(message!)}");
            Ended(label, status(), trailers());
            return message;
        }
        catch (RpcException ex)
        {
            Failed(label, ex);
            throw;
        }
    }

    private void Failed(string label, RpcException ex)
    {
        Done(label);
        trace.Line(label, $"!! the call ended with {ex.StatusCode}{(ex.Status.Detail.Length > 0 ? $": \"{ex.Status.Detail}\"" : "")}");
    }

    /// <summary>The trailers as grpc-dotnet read them from the response (HttpResponseMessage.TrailingHeaders).</summary>
    private void Ended(string label, Status status, Metadata trailers)
    {
        Done(label);
        lock (trace.Gate)
        {
            trace.Line(label, "<- trailers (END_STREAM)");
            trace.Headers(label, [
                new("grpc-status", ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                .. status.Detail.Length > 0 ? [new KeyValuePair<string, string>("grpc-message", status.Detail)] : Array.Empty<KeyValuePair<string, string>>(),
                .. trailers.Select(t => new KeyValuePair<string, string>(t.Key, t.IsBinary ? Convert.ToBase64String(t.ValueBytes) : t.Value))]);
        }
    }

    private sealed class Reader<T>(ClientWire wire, string label, IAsyncStreamReader<T> inner, Func<Status> status, Func<Metadata> trailers) : IAsyncStreamReader<T>
    {
        private int count;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            wire.current.Value = label;
            try
            {
                var more = await inner.MoveNext(cancellationToken);
                if (more)
                {
                    wire.Trace.Line(label, $"<- message {++count}: {WireTrace.Describe(inner.Current!)}");
                }
                else
                {
                    wire.Ended(label, status(), trailers());
                }
                return more;
            }
            catch (RpcException ex)
            {
                wire.Failed(label, ex);
                throw;
            }
        }
    }

    private sealed class Writer<T>(ClientWire wire, string label, IClientStreamWriter<T> inner) : IClientStreamWriter<T>
    {
        private int count;

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            wire.current.Value = label;
            wire.Trace.Line(label, $"-> message {++count}: {WireTrace.Describe(message!)}");
            await inner.WriteAsync(message, cancellationToken);
        }

        public async Task CompleteAsync()
        {
            wire.current.Value = label;
            wire.Trace.Line(label, "-> end of the request stream (END_STREAM)");
            await inner.CompleteAsync();
        }
    }
}

/// <summary>The HTTP/2 request each call becomes, as the channel's HttpClient sends and receives it.</summary>
public sealed class ClientWireHandler(ClientWire wire, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var label = wire.CurrentLabel ?? "client";
        var trace = wire.Trace;
        var done = 0;
        lock (trace.Gate)
        {
            trace.Line(label, $"-> HEADERS {request.Method} {request.RequestUri?.AbsolutePath} (HTTP/{request.Version})");
            trace.Headers(label, RequestHeaders(request));
        }
        // grpc-dotnet cancels this token when the call is cancelled, disposed early or past its
        // deadline; HttpClient then resets the HTTP/2 stream (RST_STREAM, CANCEL).
        // Kept until the call ends (trailers read), not just until the response headers arrive.
        var cancelled = cancellationToken.Register(() =>
        {
            if (Interlocked.Exchange(ref done, 1) == 0 && wire.Done(label))
            {
                trace.Line(label, "-> RST_STREAM: the client cancels the call (cancelled, disposed early, or past its deadline)");
            }
        });
        var response = await base.SendAsync(request, cancellationToken);
        lock (trace.Gate)
        {
            var trailersOnly = response.Headers.Contains("grpc-status");
            trace.Line(label, $"<- HEADERS {(int)response.StatusCode}{(trailersOnly ? " (trailers-only: the call ends here, with no message)" : "")}");
            trace.Headers(label, [new(":status", ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)), .. Flatten(response.Headers), .. Flatten(response.Content.Headers)]);
            if (trailersOnly)
            {
                Volatile.Write(ref done, 1);
            }
        }
        // The end of the body is the end of the call (the trailers, which the interceptor shows, come with it): no reset follows.
        response.Content = new TrailersContent(response, () =>
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
            {
                cancelled.Dispose();
            }
        }, () =>
        {
            // The body let go before its end: HttpClient resets the HTTP/2 stream.
            if (Interlocked.Exchange(ref done, 1) == 0 && wire.Done(label))
            {
                cancelled.Dispose();
                trace.Line(label, "-> RST_STREAM (CANCEL): the client stops the call before its end (cancelled, disposed, or past its deadline)");
            }
        });
        return response;
    }

    private static IEnumerable<KeyValuePair<string, string>> RequestHeaders(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        yield return new(":method", request.Method.Method);
        yield return new(":scheme", uri.Scheme);
        yield return new(":authority", uri.Authority);
        yield return new(":path", uri.PathAndQuery);
        foreach (var header in Flatten(request.Headers))
        {
            yield return header;
        }
        if (request.Content is not null)
        {
            foreach (var header in Flatten(request.Content.Headers))
            {
                yield return header;
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(HttpHeaders headers) =>
        headers.NonValidated.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), string.Join(", ", h.Value)));

    /// <summary>The response body as it is, plus a callback when it ends: that is when HttpClient has the trailers.</summary>
    private sealed class TrailersContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly Action ended;
        private readonly Action abandoned;

        public TrailersContent(HttpResponseMessage response, Action ended, Action abandoned)
        {
            inner = response.Content;
            this.ended = ended;
            this.abandoned = abandoned;
            foreach (var header in inner.Headers.NonValidated)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() => new EndStream(await inner.ReadAsStreamAsync(), ended, abandoned);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => new EndStream(await inner.ReadAsStreamAsync(cancellationToken), ended, abandoned);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                abandoned();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class EndStream(Stream inner, Action ended, Action abandoned) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Ended(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Ended(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        private int Ended(int read)
        {
            if (read == 0)
            {
                ended();
            }
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Ended first when the body was read to its end; otherwise this is the reset.
                abandoned();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>grpc-dotnet's client log, each line under the call it belongs to.</summary>
public sealed class ClientWireLoggerProvider(ClientWire wire) : ILoggerProvider
{
    // Only the call's own log: the channel's connection and load-balancing lines are not about a call.
    public ILogger CreateLogger(string categoryName) => categoryName == "Grpc.Net.Client.Internal.GrpcCall" ? new Logger(wire) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(ClientWire wire) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                wire.Trace.Line(wire.CurrentLabel ?? "client", $"   grpc: {formatter(state, exception)}");
            }
        }
    }
}
