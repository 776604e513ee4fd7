using System.Net.Sockets;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Server;

/// <summary>The server side of one call over an ASP.NET Core HttpContext.</summary>
internal sealed class HttpContextServerCallContext : ServerCallContext, IDisposable
{
    // CancellationTokenSource.CancelAfter takes at most uint.MaxValue - 1 milliseconds.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly GrpcServiceOptions options;
    private readonly ILogger logger;
    private readonly Metadata responseTrailers = new();
    private CancellationTokenSource? deadlineSource;
    private CancellationTokenSource? callSource;
    private Metadata? requestHeaders;
    private AuthContext? authContext;
    private DateTime deadline = DateTime.MaxValue;
    private int writeInProgress;
    private CancellationToken callToken;
    private bool initialized;

    public HttpContextServerCallContext(HttpContext httpContext, IMethod method, GrpcServiceOptions options, ILogger logger)
    {
        HttpContext = httpContext;
        MethodInfo = method;
        this.options = options;
        this.logger = logger;
    }

    public HttpContext HttpContext { get; }

    public IMethod MethodInfo { get; }

    public FramingSerializationContext SerializationContext { get; } = new();

    public int? MaxSendMessageSize => options.MaxSendMessageSize;

    public int? MaxReceiveMessageSize => options.MaxReceiveMessageSize;

    public bool DeadlineExceeded => deadlineSource?.IsCancellationRequested == true;

    public bool ClientGone => HttpContext.RequestAborted.IsCancellationRequested;

    public bool IsComplete { get; private set; }

    /// <summary>Reads the call's protocol headers; a bad one ends the call with the status it throws.</summary>
    public void Initialize()
    {
        var request = HttpContext.Request;

        // gRPC calls stream for as long as they like: lift Kestrel's per-request limits.
        var maxBodySize = HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (maxBodySize is { IsReadOnly: false })
        {
            maxBodySize.MaxRequestBodySize = null;
        }
        var minRate = HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (minRate is not null)
        {
            minRate.MinDataRate = null;
        }

        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        if (!StringValues.IsNullOrEmpty(timeoutHeader))
        {
            if (!GrpcProtocol.TryParseTimeout(timeoutHeader.ToString(), out var timeout))
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Invalid grpc-timeout header value '{timeoutHeader}'."));
            }
            deadline = DateTime.UtcNow.Add(timeout);
            deadlineSource = new CancellationTokenSource();
            if (timeout <= TimeSpan.Zero)
            {
                deadlineSource.Cancel();
            }
            else if (timeout < MaxTimerDelay)
            {
                deadlineSource.CancelAfter(timeout);
            }
        }

        // Without a deadline the call's token is the request's own: no linked source to
        // allocate and register on every call.
        callSource = deadlineSource is null
            ? null
            : CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted, deadlineSource.Token);
        callToken = callSource?.Token ?? HttpContext.RequestAborted;
        initialized = true;

        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !encoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
        {
            HttpContext.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
            throw new RpcException(new Status(StatusCode.Unimplemented,
                $"Unsupported grpc-encoding value '{encoding}'. This server supports only '{GrpcProtocol.IdentityEncoding}': compression is not available in the bundled runtime."));
        }
    }

    protected override string MethodCore => MethodInfo.FullName;

    protected override string HostCore => HttpContext.Request.Host.Value ?? "";

    protected override string PeerCore
    {
        get
        {
            var connection = HttpContext.Connection;
            var address = connection.RemoteIpAddress;
            if (address is null)
            {
                return "unknown";
            }
            return address.AddressFamily == AddressFamily.InterNetworkV6
                ? $"ipv6:[{address}]:{connection.RemotePort}"
                : $"ipv4:{address}:{connection.RemotePort}";
        }
    }

    protected override DateTime DeadlineCore => deadline;

    protected override Metadata RequestHeadersCore => requestHeaders ??= ReadRequestHeaders();

    protected override CancellationToken CancellationTokenCore => initialized ? callToken : HttpContext.RequestAborted;

    protected override Metadata ResponseTrailersCore => responseTrailers;

    protected override Status StatusCore { get; set; } = Status.DefaultSuccess;

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => authContext ??= new AuthContext(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("The bundled gRPC runtime does not propagate deadlines and cancellation to outgoing calls; pass them in CallOptions yourself.");

    protected override async Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (HttpContext.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }
        foreach (var entry in responseHeaders)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                throw new InvalidOperationException($"'{entry.Key}' is a reserved header and cannot be set by a service.");
            }
            HttpContext.Response.Headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
        }
        PrepareResponse();
        // StartAsync alone does not put HEADERS on the wire; a flush does.
        await HttpContext.Response.BodyWriter.FlushAsync(CancellationTokenCore).ConfigureAwait(false);
    }

    /// <summary>Marks a write as started; false when another is still running.</summary>
    public bool TryBeginWrite() => Interlocked.CompareExchange(ref writeInProgress, 1, 0) == 0;

    public void EndWrite() => Volatile.Write(ref writeInProgress, 0);

    /// <summary>Sets the status line and content type, once, before the first byte of the response.</summary>
    public void PrepareResponse()
    {
        var response = HttpContext.Response;
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcProtocol.ContentType;
        }
    }

    /// <summary>Ends the call with the handler's status, or with the status its exception maps to.</summary>
    public Task EndCallAsync(Exception? handlerError)
    {
        Status status;
        Metadata? extraTrailers = null;
        if (DeadlineExceeded)
        {
            // Whatever the handler did after its deadline, the client is told the deadline passed.
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else if (handlerError is null)
        {
            status = StatusCore;
        }
        else
        {
            status = StatusFromException(handlerError, out extraTrailers);
        }
        return CompleteAsync(status, extraTrailers);
    }

    private Status StatusFromException(Exception error, out Metadata? trailers)
    {
        trailers = null;
        switch (error)
        {
            case RpcException rpc:
                trailers = rpc.Trailers;
                return rpc.Status;
            case MessageReadException read:
                logger.LogInformation("Call {Method} failed reading a request message: {Detail}", MethodInfo.FullName, read.Status.Detail);
                return read.Status;
            case OperationCanceledException or IOException when ClientGone:
                return new Status(StatusCode.Cancelled, "Call canceled by the client.");
            default:
                logger.LogError(error, "Error when executing service method '{Method}'.", MethodInfo.Name);
                var detail = options.EnableDetailedErrors == true
                    ? $"Exception was thrown by handler. {error.GetType().Name}: {error.Message}"
                    : "Exception was thrown by handler.";
                return new Status(StatusCode.Unknown, detail, error);
        }
    }

    private Task CompleteAsync(Status status, Metadata? extraTrailers)
    {
        IsComplete = true;
        if (ClientGone)
        {
            // The stream was reset: there is no one to tell.
            return Task.CompletedTask;
        }
        var response = HttpContext.Response;
        if (!response.HasStarted)
        {
            // Trailers-only response: status and trailers travel in the one HEADERS frame.
            PrepareResponse();
            WriteStatus(response.Headers, status, extraTrailers);
            return Task.CompletedTask;
        }
        if (!response.SupportsTrailers())
        {
            throw new InvalidOperationException("The HTTP server does not support response trailers, which gRPC needs.");
        }
        var trailers = new HeaderDictionary();
        WriteStatus(trailers, status, extraTrailers);
        foreach (var (key, value) in trailers)
        {
            response.AppendTrailer(key, value);
        }
        return Task.CompletedTask;
    }

    private void WriteStatus(IHeaderDictionary headers, Status status, Metadata? extraTrailers)
    {
        headers[GrpcProtocol.StatusTrailer] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode(status.Detail);
        }
        AppendMetadata(headers, responseTrailers);
        if (extraTrailers is not null && !ReferenceEquals(extraTrailers, responseTrailers))
        {
            AppendMetadata(headers, extraTrailers);
        }
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata metadata)
    {
        foreach (var entry in metadata)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var (key, values) in HttpContext.Request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }
            foreach (var value in values)
            {
                if (value is not null)
                {
                    GrpcProtocol.AddHeaderToMetadata(metadata, key, value);
                }
            }
        }
        return metadata;
    }

    public void Dispose()
    {
        callSource?.Dispose();
        deadlineSource?.Dispose();
    }
}
