using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using StreamingTutorial.GrpcRuntime.Client;

namespace Grpc.Net.Client;

/// <summary>
/// A channel to one gRPC server over HttpClient and HTTP/2. Channels are cheap to keep and
/// expensive to make: create one per server and share it between clients and calls.
/// </summary>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    private readonly HttpMessageInvoker? invoker;
    private readonly HttpClient? httpClient;
    private readonly bool disposeHttp;
    private readonly ConcurrentDictionary<string, Uri> methodUris = new(StringComparer.Ordinal);
    private bool disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
        : base(address.Authority)
    {
        if (options.HttpClient is not null && options.HttpHandler is not null)
        {
            throw new ArgumentException("GrpcChannelOptions.HttpClient and HttpHandler are both set: set one of them.");
        }
        Address = address;
        MaxSendMessageSize = options.MaxSendMessageSize;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        ThrowOperationCanceledOnCancellation = options.ThrowOperationCanceledOnCancellation;
        HttpVersion = options.HttpVersion ?? System.Net.HttpVersion.Version20;
        HttpVersionPolicy = options.HttpVersionPolicy ?? System.Net.Http.HttpVersionPolicy.RequestVersionExact;
        if (options.HttpClient is not null)
        {
            httpClient = options.HttpClient;
            disposeHttp = options.DisposeHttpClient;
        }
        else if (options.HttpHandler is not null)
        {
            invoker = new HttpMessageInvoker(options.HttpHandler, disposeHandler: options.DisposeHttpClient);
            disposeHttp = true;
        }
        else
        {
            invoker = new HttpMessageInvoker(CreateDefaultHandler(), disposeHandler: true);
            disposeHttp = true;
        }
    }

    internal Uri Address { get; }

    internal int? MaxSendMessageSize { get; }

    internal int? MaxReceiveMessageSize { get; }

    internal bool ThrowOperationCanceledOnCancellation { get; }

    internal Version HttpVersion { get; }

    internal HttpVersionPolicy HttpVersionPolicy { get; }

    public static GrpcChannel ForAddress(string address) => ForAddress(address, new GrpcChannelOptions());

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions channelOptions)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"Address '{address}' is not an absolute URI: write it as http://host:port.", nameof(address));
        }
        return ForAddress(uri, channelOptions);
    }

    public static GrpcChannel ForAddress(Uri address) => ForAddress(address, new GrpcChannelOptions());

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions channelOptions)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(channelOptions);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' has the scheme '{address.Scheme}': a gRPC channel needs http:// or https://.", nameof(address));
        }
        return new GrpcChannel(address, channelOptions);
    }

    public override CallInvoker CreateCallInvoker()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return new HttpClientCallInvoker(this);
    }

    /// <summary>The request URI of a method, built once per method rather than once per call.</summary>
    internal Uri GetMethodUri(string fullName) => methodUris.GetOrAdd(fullName, static (name, address) => new Uri(address, name), Address);

    internal Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return httpClient is not null
            ? httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            : invoker!.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        if (disposeHttp)
        {
            invoker?.Dispose();
            httpClient?.Dispose();
        }
    }

    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        // Past 100 concurrent streams on one connection (Kestrel's default limit), open another
        // connection rather than queueing calls.
        EnableMultipleHttp2Connections = true,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
    };
}
