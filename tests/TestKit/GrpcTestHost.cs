using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamingTutorial.TestKit;

/// <summary>Where a test's server runs.</summary>
public enum HostKind
{
    /// <summary>ASP.NET Core's in-memory TestServer.</summary>
    TestServer,

    /// <summary>Real Kestrel on 127.0.0.1.</summary>
    Kestrel,
}

/// <summary>What a host is made of; the defaults are those of the chapters' own servers (Kestrel, HTTP/2, any free port).</summary>
public sealed record HostSetup
{
    /// <summary>Maps the gRPC services, or the raw endpoints of a fake server.</summary>
    public required Action<WebApplication> Map { get; init; }

    public HostKind Kind { get; init; } = HostKind.Kestrel;

    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Null for a host without AddGrpc (a fake server of raw endpoints).</summary>
    public Action<GrpcServiceOptions>? Grpc { get; init; } = _ => { };

    /// <summary>Kestrel's port on 127.0.0.1; 0 takes any free one.</summary>
    public int Port { get; init; }

    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http2;

    public Action<KestrelServerOptions>? Kestrel { get; init; }

    /// <summary>Anything else about the web host (the socket transport's options, for example).</summary>
    public Action<IWebHostBuilder>? WebHost { get; init; }

    /// <summary>How long a graceful stop waits for calls in progress before it aborts them.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }

    /// <summary>Counts the requests being handled (<see cref="GrpcTestHost.ActiveRequests"/>); off by default, as it adds a middleware to every call.</summary>
    public bool CountRequests { get; init; }

    /// <summary>Dispose aborts calls in progress instead of waiting out the shutdown timeout for them.</summary>
    public bool AbortOnDispose { get; init; }
}

/// <summary>An ASP.NET Core app serving gRPC, in memory or on a real socket, and channels to it.</summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HostSetup setup;
    private readonly List<GrpcChannel> channels = new();
    private int activeRequests;
    private int stopped;

    private GrpcTestHost(WebApplication app, HostSetup setup)
    {
        this.app = app;
        this.setup = setup;
    }

    public HostKind Kind => setup.Kind;

    /// <summary>http://127.0.0.1:port on Kestrel; http://localhost on TestServer.</summary>
    public Uri Address { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    /// <summary>Requests whose handling has started and not yet ended (with <see cref="HostSetup.CountRequests"/>).</summary>
    public int ActiveRequests => Volatile.Read(ref activeRequests);

    public static Task<GrpcTestHost> StartAsync(
        HostKind kind,
        Action<WebApplication> mapServices,
        Action<IServiceCollection>? configureServices = null,
        Action<GrpcServiceOptions>? configureGrpc = null) =>
        StartAsync(new HostSetup { Kind = kind, Map = mapServices, Services = configureServices, Grpc = configureGrpc ?? (_ => { }) });

    public static async Task<GrpcTestHost> StartAsync(HostSetup setup)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (setup.Kind == HostKind.TestServer)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.ConfigureKestrel(options =>
            {
                options.Listen(IPAddress.Loopback, setup.Port, listen => listen.Protocols = setup.Protocols);
                setup.Kestrel?.Invoke(options);
            });
        }
        setup.WebHost?.Invoke(builder.WebHost);
        if (setup.ShutdownTimeout is { } timeout)
        {
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = timeout);
        }
        if (setup.Grpc is { } configureGrpc)
        {
            builder.Services.AddGrpc(configureGrpc);
        }
        setup.Services?.Invoke(builder.Services);

        var app = builder.Build();
        var host = new GrpcTestHost(app, setup);
        if (setup.CountRequests)
        {
            app.Use(async (context, next) =>
            {
                Interlocked.Increment(ref host.activeRequests);
                try
                {
                    await next(context);
                }
                finally
                {
                    Interlocked.Decrement(ref host.activeRequests);
                }
            });
        }
        setup.Map(app);
        await app.StartAsync();
        host.Address = setup.Kind == HostKind.TestServer
            ? new Uri("http://localhost")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    /// <summary>A channel to this host, with its own connections (as a separate client program has); disposed with the host.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (Kind == HostKind.TestServer)
        {
            options.HttpHandler = app.GetTestServer().CreateHandler();
        }
        var channel = GrpcChannel.ForAddress(Address, options);
        lock (channels)
        {
            channels.Add(channel);
        }
        return channel;
    }

    /// <summary>An HTTP handler that reaches this host, for requests that are not gRPC calls.</summary>
    public HttpMessageHandler CreateHttpHandler() =>
        Kind == HostKind.TestServer ? app.GetTestServer().CreateHandler() : new SocketsHttpHandler();

    /// <summary>Stops the server: gracefully (calls in progress get the shutdown timeout), or at once. Only the first stop counts.</summary>
    public async Task StopAsync(bool abort)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            await app.StopAsync(abort ? new CancellationToken(canceled: true) : CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (channels)
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
        await StopAsync(setup.AbortOnDispose);
        await app.DisposeAsync();
    }
}
