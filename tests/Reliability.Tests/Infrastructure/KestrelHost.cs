using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>What a test host is made of; the defaults are those of the chapters' demo servers.</summary>
internal sealed class HostSetup
{
    /// <summary>Maps the gRPC services, or the raw endpoints of a fake server.</summary>
    public required Action<WebApplication> Map { get; init; }

    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Null for a host without AddGrpc (a fake server of raw endpoints).</summary>
    public Action<GrpcServiceOptions>? Grpc { get; init; } = _ => { };

    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http2;

    public Action<KestrelServerOptions>? Kestrel { get; init; }

    /// <summary>How long a graceful stop waits for calls in progress before it aborts them.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, and channels to it, each with its own
/// HTTP handler (so its own connections), as separate client programs would have.
/// It counts the requests in progress, so a test can see that every call's handler has ended.
/// </summary>
internal sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<GrpcChannel> channels = new();
    private int activeRequests;
    private int stopped;

    private KestrelHost(WebApplication app)
    {
        this.app = app;
    }

    public Uri Address { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    /// <summary>Requests whose handling has started and not yet ended.</summary>
    public int ActiveRequests => Volatile.Read(ref activeRequests);

    public static async Task<KestrelHost> StartAsync(HostSetup setup)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = setup.Protocols);
            setup.Kestrel?.Invoke(options);
        });
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
        var host = new KestrelHost(app);
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
        setup.Map(app);
        await app.StartAsync();
        host.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    /// <summary>A channel with its own connection pool; disposed with the host.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        var channel = GrpcChannel.ForAddress(Address, options);
        lock (channels)
        {
            channels.Add(channel);
        }
        return channel;
    }

    /// <summary>Waits until every request's handler has ended; fails the test if one is still running.</summary>
    public async Task AssertAllHandlersEndAsync(string what)
    {
        if (!await Waits.UntilAsync(() => ActiveRequests == 0))
        {
            Assert.Fail($"{ActiveRequests} request(s) still being handled {Waits.Patience.TotalSeconds:0} s after {what}.");
        }
    }

    /// <summary>Stops the server: gracefully (calls in progress get the shutdown timeout), or at once.</summary>
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
        // Tests leave calls hanging on purpose: never wait out the 30 s shutdown timeout for them.
        await StopAsync(abort: true);
        await app.DisposeAsync();
    }
}
