using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace StreamingTutorial.DemoHost.Wire;

/// <summary>
/// The server's side of <c>--wire</c>. Three sources, all the stack's own, meet here:
/// Kestrel's HTTP/2 frame log (category <see cref="KestrelHttp2Category"/>), an ASP.NET Core
/// middleware that sees each request's headers and its response's headers and trailers, and a
/// gRPC interceptor that sees each message. A call is known by its connection and HTTP/2
/// stream id, which both Kestrel's log and the request carry.
/// </summary>
public sealed class ServerWire(WireTrace trace)
{
    public const string KestrelHttp2Category = "Microsoft.AspNetCore.Server.Kestrel.Http2";
    public const string GrpcServerCategory = "Grpc.AspNetCore.Server";

    private const string ItemKey = "StreamingTutorial.Wire.Call";

    private readonly Dictionary<(string Connection, int Stream), ServerCall> calls = [];
    private readonly Dictionary<(string Connection, int Stream), List<string>> early = [];
    private readonly Dictionary<string, int> connections = [];
    private readonly Dictionary<string, ServerCall> byTraceId = [];
    private readonly HashSet<ServerCall> active = [];
    private readonly AsyncLocal<ServerCall?> current = new();
    private int callCount;

    public WireTrace Trace => trace;

    /// <summary>The middleware: the call's title and request headers as the request arrives, its trailers as the handler returns.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var connection = context.Connection.Id;
        var stream = context.Features.Get<IHttp2StreamIdFeature>()?.StreamId ?? 0;
        ServerCall call;
        lock (trace.Gate)
        {
            call = new ServerCall($"#{++callCount}", context);
            calls[(connection, stream)] = call;
            byTraceId[context.TraceIdentifier] = call;
            active.Add(call);
            trace.Line(call.Label, $"{context.Request.Method} {context.Request.Path} ({context.Request.Protocol}, connection {ConnectionNumber(connection)}, stream {stream})");
            // The frames Kestrel read before the request reached the pipeline: its HEADERS, maybe DATA.
            if (early.Remove((connection, stream), out var frames))
            {
                foreach (var frame in frames)
                {
                    trace.Line(call.Label, frame);
                    if (frame.StartsWith("<- HEADERS", StringComparison.Ordinal))
                    {
                        trace.Headers(call.Label, RequestHeaders(context.Request));
                    }
                }
            }
            else
            {
                trace.Headers(call.Label, RequestHeaders(context.Request));
            }
        }
        context.Items[ItemKey] = call;
        current.Value = call;
        context.Response.OnStarting(() =>
        {
            lock (trace.Gate)
            {
                call.ResponseHeaders = Snapshot(context.Response.Headers);
                call.Status = context.Response.StatusCode;
            }
            return Task.CompletedTask;
        });
        using var aborted = context.RequestAborted.Register(() =>
        {
            if (!call.Finished)
            {
                trace.Line(call.Label, "!! request aborted: the client reset the stream (it cancelled, or its deadline passed) or the connection closed");
            }
        });
        try
        {
            await next(context);
        }
        finally
        {
            call.Trailers = Snapshot(context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers);
            call.Finished = true;
            lock (trace.Gate)
            {
                active.Remove(call);
            }
        }
    }

    /// <summary>A line from Kestrel's HTTP/2 log or grpc-dotnet's server log.</summary>
    public void Log<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // When the service starts to read is not a wire event, and it races the DATA frame it waits for.
        if (eventId.Name == "ReadingMessage")
        {
            return;
        }
        var fields = state as IReadOnlyList<KeyValuePair<string, object?>>;
        if (category == KestrelHttp2Category && fields is not null && Field(fields, "type") is { } type && Field(fields, "id") is { } idText)
        {
            Frame(formatter(state, exception).Contains(" received ", StringComparison.Ordinal) ? "<-" : "->",
                Field(fields, "ConnectionId") ?? "", type, int.Parse(idText, CultureInfo.InvariantCulture), Field(fields, "length") ?? "?", Field(fields, "flags") ?? "");
            return;
        }
        var text = formatter(state, exception);
        var label = current.Value?.Label ?? CallOfLog(category, fields);
        trace.Line(label, category.StartsWith("Grpc", StringComparison.Ordinal) ? $"   grpc: {text}" : $"   kestrel: {text}");
    }

    private void Frame(string direction, string connection, string type, int stream, string length, string flags)
    {
        var line = $"{direction} {type,-13} stream={stream} length={length} flags={(flags is "" or "0" or "0x0" ? "NONE" : flags)}";
        lock (trace.Gate)
        {
            if (stream == 0)
            {
                trace.Line($"conn{ConnectionNumber(connection)}", line);
                return;
            }
            if (!calls.TryGetValue((connection, stream), out var call))
            {
                // The request has not reached the pipeline yet: keep the frame for its call's title.
                if (!early.TryGetValue((connection, stream), out var frames))
                {
                    early[(connection, stream)] = frames = [];
                }
                frames.Add(line);
                return;
            }
            trace.Line(call.Label, line);
            if (direction == "->" && type == "HEADERS")
            {
                // Kestrel sends response headers first and trailers last, both as HEADERS frames; a
                // trailers-only answer is one HEADERS frame with END_STREAM and grpc-status in it.
                if (!call.HeadersSent)
                {
                    call.HeadersSent = true;
                    // The headers the application set, as they were when the response started (Kestrel adds date and server as it writes them).
                    trace.Headers(call.Label, [new(":status", call.Status.ToString(CultureInfo.InvariantCulture)), .. call.ResponseHeaders ?? []]);
                }
                else
                {
                    trace.Headers(call.Label, call.Trailers ?? LiveTrailers(call) ?? []);
                }
            }
        }
    }

    private static List<KeyValuePair<string, string>>? LiveTrailers(ServerCall call)
    {
        try
        {
            return Snapshot(call.Context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// For a line logged outside any call's context: Kestrel names the request by its trace id;
    /// grpc-dotnet's deadline timer names nothing, so it is the one call in flight, if only one is.
    /// </summary>
    private string CallOfLog(string category, IReadOnlyList<KeyValuePair<string, object?>>? fields)
    {
        lock (trace.Gate)
        {
            if (fields is not null && Field(fields, "TraceIdentifier") is { } traceId && byTraceId.TryGetValue(traceId, out var call))
            {
                return call.Label;
            }
            if (fields is not null && Field(fields, "ConnectionId") is { } connection)
            {
                return $"conn{ConnectionNumber(connection)}";
            }
            return category.StartsWith("Grpc", StringComparison.Ordinal) && active.Count == 1 ? active.First().Label : "server";
        }
    }

    private int ConnectionNumber(string connection)
    {
        lock (trace.Gate)
        {
            if (!connections.TryGetValue(connection, out var number))
            {
                connections[connection] = number = connections.Count + 1;
            }
            return number;
        }
    }

    private static string? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name)
    {
        foreach (var (key, value) in fields)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static IEnumerable<KeyValuePair<string, string>> RequestHeaders(HttpRequest request)
    {
        // HTTP/2's pseudo-headers, as ASP.NET Core exposes them, then the headers themselves.
        yield return new(":method", request.Method);
        yield return new(":scheme", request.Scheme);
        yield return new(":authority", request.Host.Value ?? "");
        yield return new(":path", request.Path.Value ?? "");
        foreach (var header in Snapshot(request.Headers) ?? [])
        {
            if (!header.Key.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                yield return header;
            }
        }
    }

    private static List<KeyValuePair<string, string>>? Snapshot(IHeaderDictionary? headers) =>
        headers?.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value.ToString())).ToList();

    internal static ServerCall? CallOf(ServerCallContext context) =>
        context.GetHttpContext().Items.TryGetValue(ItemKey, out var call) ? call as ServerCall : null;

    internal sealed class ServerCall(string label, HttpContext context)
    {
        public string Label { get; } = label;
        public HttpContext Context { get; } = context;
        public List<KeyValuePair<string, string>>? ResponseHeaders { get; set; }
        public List<KeyValuePair<string, string>>? Trailers { get; set; }
        public bool HeadersSent { get; set; }
        public int Status { get; set; } = 200;
        public volatile bool Finished;
        public int Received;
        public int Sent;
    }
}

/// <summary>Routes the log categories <c>--wire</c> reads to <see cref="ServerWire"/>.</summary>
public sealed class ServerWireLoggerProvider(ServerWire wire) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(wire, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ServerWire wire, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            wire.Log(category, logLevel, eventId, state, exception, formatter);
    }
}

/// <summary>Each message of each call, as the service reads it and before it is written.</summary>
public sealed class ServerWireInterceptor(ServerWire wire) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Received(context, request);
        var response = await continuation(request, context);
        Sent(context, response);
        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(new Reader<TRequest>(requestStream, m => Received(context, m)), context);
        Sent(context, response);
        return response;
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Received(context, request);
        return continuation(request, new Writer<TResponse>(responseStream, m => Sent(context, m)), context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new Reader<TRequest>(requestStream, m => Received(context, m)), new Writer<TResponse>(responseStream, m => Sent(context, m)), context);

    private void Received(ServerCallContext context, object message)
    {
        if (ServerWire.CallOf(context) is { } call)
        {
            wire.Trace.Line(call.Label, $"<- message {Interlocked.Increment(ref call.Received)}: {WireTrace.Describe(message)}");
        }
    }

    private void Sent(ServerCallContext context, object message)
    {
        if (ServerWire.CallOf(context) is { } call)
        {
            wire.Trace.Line(call.Label, $"-> message {Interlocked.Increment(ref call.Sent)}: {WireTrace.Describe(message)}");
        }
    }

    private sealed class Reader<T>(IAsyncStreamReader<T> inner, Action<T> onMessage) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken);
            if (more)
            {
                onMessage(inner.Current!);
            }
            return more;
        }
    }

    private sealed class Writer<T>(IServerStreamWriter<T> inner, Action<T> onMessage) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message)
        {
            onMessage(message);
            return inner.WriteAsync(message);
        }

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            onMessage(message);
            return inner.WriteAsync(message, cancellationToken);
        }
    }
}
