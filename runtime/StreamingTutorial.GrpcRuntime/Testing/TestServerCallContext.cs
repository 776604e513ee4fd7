namespace Grpc.Core.Testing;

/// <summary>Makes a <see cref="ServerCallContext"/> for calling a service method directly in a unit test.</summary>
public static class TestServerCallContext
{
    public static ServerCallContext Create(
        string method,
        string? host,
        DateTime deadline,
        Metadata requestHeaders,
        CancellationToken cancellationToken,
        string peer,
        AuthContext? authContext,
        ContextPropagationToken? contextPropagationToken,
        Func<Metadata, Task> writeHeadersFunc,
        Func<WriteOptions?> writeOptionsGetter,
        Action<WriteOptions?> writeOptionsSetter)
    {
        return new TestingServerCallContext(method, host, deadline, requestHeaders, cancellationToken, peer, authContext,
            contextPropagationToken, writeHeadersFunc, writeOptionsGetter, writeOptionsSetter);
    }

    private sealed class TestingServerCallContext(
        string method,
        string? host,
        DateTime deadline,
        Metadata requestHeaders,
        CancellationToken cancellationToken,
        string peer,
        AuthContext? authContext,
        ContextPropagationToken? contextPropagationToken,
        Func<Metadata, Task> writeHeadersFunc,
        Func<WriteOptions?> writeOptionsGetter,
        Action<WriteOptions?> writeOptionsSetter) : ServerCallContext
    {
        private readonly Metadata responseTrailers = new();
        private readonly AuthContext authContext = authContext ?? new AuthContext(null, new Dictionary<string, List<AuthProperty>>());

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => writeHeadersFunc(responseHeaders);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            contextPropagationToken ?? throw new InvalidOperationException("This test context was created without a propagation token.");

        protected override string MethodCore => method;

        protected override string HostCore => host ?? "";

        protected override string PeerCore => peer;

        protected override DateTime DeadlineCore => deadline;

        protected override Metadata RequestHeadersCore => requestHeaders;

        protected override CancellationToken CancellationTokenCore => cancellationToken;

        protected override Metadata ResponseTrailersCore => responseTrailers;

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore
        {
            get => writeOptionsGetter();
            set => writeOptionsSetter(value);
        }

        protected override AuthContext AuthContextCore => authContext;
    }
}
