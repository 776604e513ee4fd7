using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamingTutorial.Grading;

/// <summary>Where a test's server runs.</summary>
public enum HostKind
{
    /// <summary>ASP.NET Core's in-memory TestServer.</summary>
    TestServer,

    /// <summary>Real Kestrel, HTTP/2 cleartext on 127.0.0.1 and a free port.</summary>
    Kestrel,
}

/// <summary>An ASP.NET Core app serving gRPC, in memory or on a real socket, and channels to it.</summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<GrpcChannel> channels = new();

    private GrpcTestHost(WebApplication app, HostKind kind, Uri address)
    {
        this.app = app;
        Kind = kind;
        Address = address;
    }

    public HostKind Kind { get; }

    public Uri Address { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<GrpcTestHost> StartAsync(
        HostKind kind,
        Action<WebApplication> mapServices,
        Action<IServiceCollection>? configureServices = null,
        Action<GrpcServiceOptions>? configureGrpc = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (kind == HostKind.TestServer)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.ConfigureKestrel(options =>
                options.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        }
        builder.Services.AddGrpc(options => configureGrpc?.Invoke(options));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        mapServices(app);
        await app.StartAsync();

        var address = kind == HostKind.TestServer
            ? new Uri("http://localhost")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new GrpcTestHost(app, kind, address);
    }

    /// <summary>A channel to this host; disposed with the host.</summary>
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

    public async ValueTask DisposeAsync()
    {
        lock (channels)
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>An HTTP handler that reaches this host, for requests that are not gRPC calls.</summary>
    public HttpMessageHandler CreateHttpHandler() =>
        Kind == HostKind.TestServer ? app.GetTestServer().CreateHandler() : new SocketsHttpHandler();
}
