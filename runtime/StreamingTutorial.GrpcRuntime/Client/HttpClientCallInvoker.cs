using Grpc.Core;
using Grpc.Net.Client;

namespace StreamingTutorial.GrpcRuntime.Client;

/// <summary>Makes the four kinds of call over a <see cref="GrpcChannel"/>.</summary>
internal sealed class HttpClientCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using var call = AsyncUnaryCall(method, host, options, request);
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new GrpcCall<TRequest, TResponse>(method, options, channel);
        call.Start(request);
        return new AsyncUnaryCall<TResponse>(call.ReadSingleResponseAsync(), Callbacks<TRequest, TResponse>.Headers, Callbacks<TRequest, TResponse>.Status,
            Callbacks<TRequest, TResponse>.Trailers, Callbacks<TRequest, TResponse>.Dispose, call);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new GrpcCall<TRequest, TResponse>(method, options, channel);
        call.Start(request);
        return new AsyncServerStreamingCall<TResponse>(new ClientStreamReader<TRequest, TResponse>(call), Callbacks<TRequest, TResponse>.Headers,
            Callbacks<TRequest, TResponse>.Status, Callbacks<TRequest, TResponse>.Trailers, Callbacks<TRequest, TResponse>.Dispose, call);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(method, options, channel);
        call.Start(null);
        var writer = new ClientStreamWriter<TRequest, TResponse>(call, method, options.WriteOptions);
        return new AsyncClientStreamingCall<TRequest, TResponse>(writer, call.ReadSingleResponseAsync(), Callbacks<TRequest, TResponse>.Headers,
            Callbacks<TRequest, TResponse>.Status, Callbacks<TRequest, TResponse>.Trailers, Callbacks<TRequest, TResponse>.Dispose, call);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = new GrpcCall<TRequest, TResponse>(method, options, channel);
        call.Start(null);
        var writer = new ClientStreamWriter<TRequest, TResponse>(call, method, options.WriteOptions);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, new ClientStreamReader<TRequest, TResponse>(call), Callbacks<TRequest, TResponse>.Headers,
            Callbacks<TRequest, TResponse>.Status, Callbacks<TRequest, TResponse>.Trailers, Callbacks<TRequest, TResponse>.Dispose, call);
    }

    // Static callbacks over the call state, so a call object allocates no closures.
    private static class Callbacks<TRequest, TResponse>
        where TRequest : class
        where TResponse : class
    {
        public static readonly Func<object, Task<Metadata>> Headers = state => ((GrpcCall<TRequest, TResponse>)state).GetResponseHeadersAsync();
        public static readonly Func<object, Status> Status = state => ((GrpcCall<TRequest, TResponse>)state).GetStatus();
        public static readonly Func<object, Metadata> Trailers = state => ((GrpcCall<TRequest, TResponse>)state).GetTrailers();
        public static readonly Action<object> Dispose = state => ((GrpcCall<TRequest, TResponse>)state).Dispose();
    }
}
