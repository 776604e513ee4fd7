using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Client;

/// <summary>
/// One call from the client's side, whatever its kind. The HTTP request is started at once and
/// its response headers are awaited lazily, so a client can write its first message before
/// the server answers (a gRPC C-core server sends headers only with its first response).
/// The call's status is set once: by the server's trailers, or locally by a cancellation, an
/// expired deadline or a transport error.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    private const string UserAgent = "grpc-dotnet-streamingtutorial/1.0";
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    // How long a failed write waits for the server's own status before reporting the transport error.
    private static readonly TimeSpan ServerStatusGrace = TimeSpan.FromSeconds(2);

    private readonly Method<TRequest, TResponse> method;
    private readonly CallOptions options;
    private readonly GrpcChannel channel;
    private readonly CancellationTokenSource callSource = new();
    private readonly object gate = new();
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration cancellationRegistration;
    private Timer? deadlineTimer;
    private Task<HttpResponseMessage>? sendTask;
    private Task<Metadata>? headersTask;
    private HttpResponseMessage? response;
    private MessageReader<TResponse>? responseReader;
    private Status? status;
    private Metadata? trailers;

    public GrpcCall(Method<TRequest, TResponse> method, CallOptions options, GrpcChannel channel)
    {
        this.method = method;
        this.options = options;
        this.channel = channel;
    }

    public RequestStreamContent? RequestContent { get; private set; }

    public FramingSerializationContext RequestSerializer { get; } = new();

    public int? MaxSendMessageSize => channel.MaxSendMessageSize;

    public CancellationToken CallToken => callSource.Token;

    public Status? FinalStatus
    {
        get
        {
            lock (gate)
            {
                return status;
            }
        }
    }

    /// <summary>Starts the HTTP request. For unary and server-streaming calls the one request goes with it.</summary>
    public void Start(TRequest? request)
    {
        CheckNoCompressionRequested();
        var deadline = NormalizeDeadline(options.Deadline);
        TimeSpan? timeout = deadline == DateTime.MaxValue ? null : deadline - DateTime.UtcNow;
        if (timeout <= TimeSpan.Zero)
        {
            Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), Metadata.Empty);
            return;
        }
        if (options.CancellationToken.IsCancellationRequested)
        {
            Finish(new Status(StatusCode.Cancelled, "Call canceled by the client."), Metadata.Empty);
            return;
        }

        HttpContent content;
        if (method.Type is MethodType.Unary or MethodType.ServerStreaming)
        {
            try
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                RequestSerializer.WriteMessage(buffer, request!, method.RequestMarshaller.ContextualSerializer, channel.MaxSendMessageSize);
                content = new SingleMessageContent(buffer.WrittenMemory);
            }
            catch (RpcException ex)
            {
                Finish(ex.Status, ex.Trailers);
                return;
            }
        }
        else
        {
            RequestContent = new RequestStreamContent();
            content = RequestContent;
        }
        content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);

        var message = new HttpRequestMessage(HttpMethod.Post, channel.GetMethodUri(method.FullName))
        {
            Version = channel.HttpVersion,
            VersionPolicy = channel.HttpVersionPolicy,
            Content = content,
        };
        // Added as text: the same header on the wire, without parsing a header value object per call.
        message.Headers.TryAddWithoutValidation("TE", "trailers");
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (timeout is { } t)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(t));
        }
        if (options.Headers is { } headers)
        {
            foreach (var entry in headers)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    message.Headers.TryAddWithoutValidation(entry.Key, GrpcProtocol.HeaderValue(entry));
                }
            }
        }

        if (options.CancellationToken.CanBeCanceled)
        {
            cancellationRegistration = options.CancellationToken.Register(static state =>
                ((GrpcCall<TRequest, TResponse>)state!).Cancel(new Status(StatusCode.Cancelled, "Call canceled by the client.")), this);
        }
        if (timeout is { } due && due < MaxTimerDelay)
        {
            deadlineTimer = new Timer(static state =>
                ((GrpcCall<TRequest, TResponse>)state!).Cancel(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")), this, due, Timeout.InfiniteTimeSpan);
        }

        sendTask = channel.SendAsync(message, callSource.Token);
    }

    /// <summary>The response headers, awaited once and shared.</summary>
    public Task<Metadata> GetResponseHeadersAsync()
    {
        lock (gate)
        {
            return headersTask ??= ReadResponseHeadersAsync();
        }
    }

    private async Task<Metadata> ReadResponseHeadersAsync()
    {
        if (sendTask is null)
        {
            // Never sent: deadline already passed, cancelled before start, or the request was too large.
            throw CreateException();
        }
        HttpResponseMessage httpResponse;
        try
        {
            httpResponse = await sendTask.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex, "Error starting gRPC call");
        }
        lock (gate)
        {
            response = httpResponse;
            if (status is not null)
            {
                // Cancelled while the headers were on their way.
                httpResponse.Dispose();
            }
        }

        var headers = new Metadata();
        foreach (var (key, values) in httpResponse.Headers.NonValidated)
        {
            if (!GrpcProtocol.IsReservedHeader(key))
            {
                foreach (var value in values)
                {
                    GrpcProtocol.AddHeaderToMetadata(headers, key, value);
                }
            }
        }

        var trailersOnlyStatus = ReadStatus(httpResponse.Headers);
        if (httpResponse.StatusCode != HttpStatusCode.OK)
        {
            var code = GrpcProtocol.StatusFromHttp(httpResponse.StatusCode);
            Finish(new Status(code, $"Bad gRPC response. HTTP status code: {(int)httpResponse.StatusCode}."), headers);
            throw CreateException();
        }
        var contentType = httpResponse.Content.Headers.TryGetValues("Content-Type", out var types) ? types.FirstOrDefault() : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}."), headers);
            throw CreateException();
        }
        if (trailersOnlyStatus is { } s)
        {
            // Trailers-only: the status came in the headers and there is no body.
            Finish(s, headers);
        }
        return headers;
    }

    /// <summary>Reads the next response message; false once the server has ended the call with OK.</summary>
    /// <remarks>Awaited once per message, so its state machine can come from a pool.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(bool Found, TResponse? Message)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        await GetResponseHeadersAsync().ConfigureAwait(false);
        if (FinalStatus is { } finished)
        {
            return finished.StatusCode == StatusCode.OK ? (false, null) : throw CreateException();
        }
        try
        {
            if (responseReader is null)
            {
                var stream = await response!.Content.ReadAsStreamAsync(callSource.Token).ConfigureAwait(false);
                responseReader = new MessageReader<TResponse>(
                    PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
                    method.ResponseMarshaller.ContextualDeserializer,
                    channel.MaxReceiveMessageSize,
                    "response");
            }
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callSource.Token)
                : null;
            var result = await responseReader.ReadAsync(linked?.Token ?? callSource.Token).ConfigureAwait(false);
            if (result.Found)
            {
                return result;
            }
        }
        catch (MessageReadException ex)
        {
            Finish(ex.Status, Metadata.Empty);
            throw CreateException();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && FinalStatus is null)
        {
            // The reader's own token: cancelling a read cancels the call.
            Cancel(new Status(StatusCode.Cancelled, "Call canceled by the client."));
            throw CreateException();
        }
        catch (Exception ex)
        {
            throw Fail(ex, "Error reading next message");
        }

        // End of the body: the trailers carry the status.
        var responseTrailers = new Metadata();
        foreach (var (key, values) in response!.TrailingHeaders.NonValidated)
        {
            if (!GrpcProtocol.IsReservedHeader(key))
            {
                foreach (var value in values)
                {
                    GrpcProtocol.AddHeaderToMetadata(responseTrailers, key, value);
                }
            }
        }
        var trailerStatus = ReadStatus(response.TrailingHeaders)
            ?? new Status(StatusCode.Internal, "No grpc-status found on response: the server ended the stream without gRPC trailers.");
        Finish(trailerStatus, responseTrailers);
        return FinalStatus!.Value.StatusCode == StatusCode.OK ? (false, null) : throw CreateException();
    }

    /// <summary>The single response of a unary or client-streaming call.</summary>
    public async Task<TResponse> ReadSingleResponseAsync()
    {
        var (found, message) = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false);
        if (!found)
        {
            Finish(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."), Metadata.Empty, overrideOk: true);
            throw CreateException();
        }
        var (extra, _) = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false);
        if (extra)
        {
            Cancel(new Status(StatusCode.Internal, "The server sent more than one response message to a call that expects one."));
            throw CreateException();
        }
        return message!;
    }

    /// <summary>Ends the call locally (cancellation, deadline, disposal) and resets the HTTP/2 stream.</summary>
    public void Cancel(Status localStatus)
    {
        HttpResponseMessage? toDispose;
        lock (gate)
        {
            if (status is not null)
            {
                return;
            }
            status = localStatus;
            trailers = Metadata.Empty;
            toDispose = response;
        }
        StopSending();
        // Disposing an unfinished response resets the stream, so the server sees the cancellation.
        toDispose?.Dispose();
        Cleanup();
    }

    public void Dispose()
    {
        Cancel(new Status(StatusCode.Cancelled, "Call canceled by the client."));
        lock (gate)
        {
            response?.Dispose();
        }
    }

    public Status GetStatus() => FinalStatus ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers()
    {
        lock (gate)
        {
            return status is null
                ? throw new InvalidOperationException("Can't get the call trailers because the call has not completed successfully.")
                : trailers!;
        }
    }

    /// <summary>The exception a failed call throws: RpcException, or OperationCanceledException when the channel asks for it.</summary>
    public Exception CreateException()
    {
        Status finalStatus;
        Metadata finalTrailers;
        lock (gate)
        {
            finalStatus = status ?? new Status(StatusCode.Unknown, "The call failed.");
            finalTrailers = trailers ?? Metadata.Empty;
        }
        if (channel.ThrowOperationCanceledOnCancellation && finalStatus.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded)
        {
            return new OperationCanceledException(finalStatus.Detail);
        }
        return new RpcException(finalStatus, finalTrailers);
    }

    /// <summary>
    /// A request write failed. Usually that is because the server has already answered and
    /// reset the request stream, so the write's error does not decide the call's status: the
    /// response does. Wait briefly for the server's status and throw it; otherwise throw a
    /// CANCELLED error for this write alone and leave the call's status to the response path.
    /// </summary>
    public async Task<Exception> WriteFailedAsync(Exception error, string what)
    {
        RequestContent?.Abort();
        if (FinalStatus is null && sendTask is not null)
        {
            var grace = Task.Delay(ServerStatusGrace);
            if (await Task.WhenAny(sendTask, grace).ConfigureAwait(false) == sendTask && sendTask.IsCompletedSuccessfully)
            {
                try
                {
                    // A trailers-only answer sets the status here; otherwise the response reader will.
                    await GetResponseHeadersAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                }
                await Task.WhenAny(completion.Task, grace).ConfigureAwait(false);
            }
        }
        return FinalStatus is not null
            ? CreateException()
            : new RpcException(new Status(StatusCode.Cancelled, $"{what}. {error.GetType().Name}: {error.Message}", error));
    }

    /// <summary>Turns a transport exception into the call's status (unless it already has one) and returns what to throw.</summary>
    public Exception Fail(Exception error, string what)
    {
        if (error is RpcException rpc)
        {
            Finish(rpc.Status, rpc.Trailers);
        }
        else if (FinalStatus is null)
        {
            var code = GrpcProtocol.StatusFromTransportError(error);
            var inner = error is HttpRequestException { InnerException: { } cause } ? $" {cause.GetType().Name}: {cause.Message}" : "";
            Cancel(new Status(code, $"{what}. {error.GetType().Name}: {error.Message}{inner}", error));
        }
        return CreateException();
    }

    private void Finish(Status finalStatus, Metadata finalTrailers, bool overrideOk = false)
    {
        var failed = false;
        lock (gate)
        {
            if (status is not null && !(overrideOk && status.Value.StatusCode == StatusCode.OK))
            {
                return;
            }
            status = finalStatus;
            trailers = finalTrailers;
            failed = finalStatus.StatusCode != StatusCode.OK;
        }
        if (failed)
        {
            // The server has given its answer.
            StopSending();
        }
        Cleanup();
    }

    /// <summary>Ends the request body and cancels everything waiting on the call's token.</summary>
    private void StopSending()
    {
        RequestContent?.Abort();
        try
        {
            callSource.Cancel();
        }
        catch (AggregateException)
        {
        }
    }

    private void Cleanup()
    {
        completion.TrySetResult();
        // A request body still open when the call has ended would never end otherwise.
        RequestContent?.Abort();
        cancellationRegistration.Dispose();
        deadlineTimer?.Dispose();
    }

    private static Status? ReadStatus(HttpHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusTrailer, out var statusValues))
        {
            return null;
        }
        var raw = statusValues.ToString();
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{raw}'.");
        }
        var detail = headers.NonValidated.TryGetValues(GrpcProtocol.MessageTrailer, out var messageValues)
            ? GrpcProtocol.PercentDecode(messageValues.ToString())
            : "";
        return new Status((StatusCode)code, detail);
    }

    private static DateTime NormalizeDeadline(DateTime? deadline)
    {
        if (deadline is not { } value || value == DateTime.MaxValue)
        {
            return DateTime.MaxValue;
        }
        return value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
    }

    private void CheckNoCompressionRequested()
    {
        var requested = options.Headers?.GetValue("grpc-internal-encoding-request");
        if (requested is not null && requested != GrpcProtocol.IdentityEncoding)
        {
            throw new InvalidOperationException(
                $"The call asks for '{requested}' compression, but the bundled gRPC runtime supports no compression. Remove the grpc-internal-encoding-request header, or build with -p:GrpcStack=Official.");
        }
    }
}
