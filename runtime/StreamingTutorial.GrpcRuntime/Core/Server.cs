namespace Grpc.Core;

// What a service implementation sees: the server-side delegates, the call context, and the
// description of a service that generated code builds.

public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context)
    where TRequest : class where TResponse : class;

public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context)
    where TRequest : class where TResponse : class;

public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class where TResponse : class;

public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class where TResponse : class;

/// <summary>The context of one call on the server: headers, deadline, cancellation, trailers and status.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? userState;

    protected ServerCallContext()
    {
    }

    /// <summary>Sends the response headers now, before the first message.</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => WriteResponseHeadersAsyncCore(responseHeaders);

    public ContextPropagationToken CreatePropagationToken(ContextPropagationOptions? options = null) => CreatePropagationTokenCore(options);

    /// <summary>The full method name, "/package.Service/Method".</summary>
    public string Method => MethodCore;

    public string Host => HostCore;

    /// <summary>The client's address, for example "ipv4:127.0.0.1:53412".</summary>
    public string Peer => PeerCore;

    /// <summary>When the call must end; <see cref="DateTime.MaxValue"/> when the client set no deadline.</summary>
    public DateTime Deadline => DeadlineCore;

    public Metadata RequestHeaders => RequestHeadersCore;

    /// <summary>Fires when the client cancels, the deadline passes or the connection is lost.</summary>
    public CancellationToken CancellationToken => CancellationTokenCore;

    /// <summary>Trailers sent with the status when the call ends.</summary>
    public Metadata ResponseTrailers => ResponseTrailersCore;

    /// <summary>The status sent when the handler returns normally.</summary>
    public Status Status
    {
        get => StatusCore;
        set => StatusCore = value;
    }

    public WriteOptions? WriteOptions
    {
        get => WriteOptionsCore;
        set => WriteOptionsCore = value;
    }

    public AuthContext AuthContext => AuthContextCore;

    /// <summary>A per-call dictionary for interceptors and handlers to share state.</summary>
    public IDictionary<object, object> UserState => UserStateCore;

    protected abstract Task WriteResponseHeadersAsyncCore(Metadata responseHeaders);

    protected abstract ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options);

    protected abstract string MethodCore { get; }

    protected abstract string HostCore { get; }

    protected abstract string PeerCore { get; }

    protected abstract DateTime DeadlineCore { get; }

    protected abstract Metadata RequestHeadersCore { get; }

    protected abstract CancellationToken CancellationTokenCore { get; }

    protected abstract Metadata ResponseTrailersCore { get; }

    protected abstract Status StatusCore { get; set; }

    protected abstract WriteOptions? WriteOptionsCore { get; set; }

    protected abstract AuthContext AuthContextCore { get; }

    protected virtual IDictionary<object, object> UserStateCore => userState ??= new Dictionary<object, object>();
}

/// <summary>The authentication state of a call. The bundled runtime serves cleartext, so calls are unauthenticated.</summary>
public class AuthContext
{
    private readonly Dictionary<string, List<AuthProperty>> properties;

    public AuthContext(string? peerIdentityPropertyName, Dictionary<string, List<AuthProperty>> properties)
    {
        PeerIdentityPropertyName = peerIdentityPropertyName;
        this.properties = properties ?? throw new ArgumentNullException(nameof(properties));
    }

    public bool IsPeerAuthenticated => PeerIdentityPropertyName is not null;

    public string? PeerIdentityPropertyName { get; }

    public IEnumerable<AuthProperty> PeerIdentity =>
        PeerIdentityPropertyName is null ? Array.Empty<AuthProperty>() : FindPropertiesByName(PeerIdentityPropertyName);

    public IEnumerable<AuthProperty> Properties => properties.Values.SelectMany(v => v);

    public IEnumerable<AuthProperty> FindPropertiesByName(string propertyName) =>
        properties.TryGetValue(propertyName, out var found) ? found : Array.Empty<AuthProperty>();
}

/// <summary>One property of an <see cref="AuthContext"/>.</summary>
public class AuthProperty
{
    private readonly byte[] valueBytes;

    private AuthProperty(string name, byte[] valueBytes)
    {
        Name = name;
        this.valueBytes = valueBytes;
    }

    public string Name { get; }

    public string Value => System.Text.Encoding.UTF8.GetString(valueBytes);

    public byte[] ValueBytes => (byte[])valueBytes.Clone();

    public static AuthProperty Create(string name, byte[] valueBytes) =>
        new(name ?? throw new ArgumentNullException(nameof(name)), (byte[])(valueBytes ?? throw new ArgumentNullException(nameof(valueBytes))).Clone());
}

/// <summary>Receives a service's methods from the generated BindService method.</summary>
public class ServiceBinderBase
{
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class => throw new NotImplementedException();

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class => throw new NotImplementedException();

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class => throw new NotImplementedException();

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class => throw new NotImplementedException();
}

/// <summary>Names the static method of a generated service base that binds its methods.</summary>
[AttributeUsage(AttributeTargets.Class)]
public class BindServiceMethodAttribute : Attribute
{
    public BindServiceMethodAttribute(Type bindType, string bindMethodName)
    {
        BindType = bindType;
        BindMethodName = bindMethodName;
    }

    public Type BindType { get; }

    public string BindMethodName { get; }
}

/// <summary>A service's methods with their handlers.</summary>
public class ServerServiceDefinition
{
    private readonly IReadOnlyList<Action<ServiceBinderBase>> addMethodActions;

    private ServerServiceDefinition(IReadOnlyList<Action<ServiceBinderBase>> addMethodActions)
    {
        this.addMethodActions = addMethodActions;
    }

    /// <summary>Passes every method and handler to the binder.</summary>
    internal void BindService(ServiceBinderBase serviceBinder)
    {
        foreach (var addMethod in addMethodActions)
        {
            addMethod(serviceBinder);
        }
    }

    public static Builder CreateBuilder() => new();

    public class Builder
    {
        private readonly Dictionary<string, IMethod> methods = new();
        private readonly List<Action<ServiceBinderBase>> addMethodActions = new();

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        public ServerServiceDefinition Build() => new(addMethodActions.ToArray());

        private Builder Add(IMethod method, Action<ServiceBinderBase> addMethod)
        {
            if (!methods.TryAdd(method.FullName, method))
            {
                throw new ArgumentException($"Method '{method.FullName}' has already been added.", nameof(method));
            }
            addMethodActions.Add(addMethod);
            return this;
        }
    }
}
