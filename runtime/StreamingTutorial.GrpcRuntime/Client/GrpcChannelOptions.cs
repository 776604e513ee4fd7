using Microsoft.Extensions.Logging;

namespace Grpc.Net.Client;

/// <summary>Options for a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The largest message the client may send, in bytes; null (the default) for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>The largest message the client accepts, in bytes; 4 MiB by default, null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The handler that sends the HTTP/2 requests, for example a TestServer's handler. Not with <see cref="HttpClient"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>A client to send the HTTP/2 requests with. Not with <see cref="HttpHandler"/>. Set its Timeout to infinite for long streams.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpClient"/> or <see cref="HttpHandler"/>.</summary>
    public bool DisposeHttpClient { get; set; }

    /// <summary>Throw OperationCanceledException instead of RpcException when a call is cancelled or its deadline passes.</summary>
    public bool ThrowOperationCanceledOnCancellation { get; set; }

    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The HTTP version of requests; 2.0 by default.</summary>
    public Version? HttpVersion { get; set; }

    /// <summary>The HTTP version policy of requests; exactly the requested version by default.</summary>
    public HttpVersionPolicy? HttpVersionPolicy { get; set; }
}
