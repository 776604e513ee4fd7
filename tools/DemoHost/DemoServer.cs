using System.Globalization;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamingTutorial.DemoHost.Wire;

namespace StreamingTutorial.DemoHost;

/// <summary>
/// The workbook's extras on top of a chapter's plain gRPC server: two calls, one on the builder
/// and one on the app, so Program.cs keeps the hosting lines a service of your own has and
/// shows where the extras come in.
/// </summary>
public static class DemoServer
{
    /// <summary>How long Ctrl+C lets calls in progress finish before the server drops them.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Quiet logs; <c>--wire</c>'s traces and <c>--metrics</c>' counters when asked; reflection and
    /// health services; a short shutdown. Call it after <c>AddGrpc()</c>.
    /// </summary>
    public static WebApplicationBuilder AddDemoTools(this WebApplicationBuilder builder, DemoOptions options)
    {
        // The demo prints its own lines; ASP.NET Core's informational logs would bury them.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The host logs a failed start with its stack trace, then throws the same exception: the
        // program says "port in use" in one line, and throws anything else with its trace anyway.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddSingleton(options);
        if (options.Has("wire"))
        {
            var wire = new ServerWire(new WireTrace(Console.Out));
            builder.Services.AddSingleton(wire);
            builder.Services.Configure<GrpcServiceOptions>(grpc => grpc.Interceptors.Add<ServerWireInterceptor>(wire));
            // Kestrel logs every HTTP/2 frame at Trace, grpc-dotnet each step of a call at Debug.
            builder.Logging.AddProvider(new ServerWireLoggerProvider(wire));
            builder.Logging.AddFilter<ServerWireLoggerProvider>(null, LogLevel.None);
            builder.Logging.AddFilter<ServerWireLoggerProvider>(ServerWire.KestrelHttp2Category, LogLevel.Trace);
            builder.Logging.AddFilter<ServerWireLoggerProvider>(ServerWire.GrpcServerCategory, LogLevel.Debug);
        }
        if (options.Has("metrics"))
        {
            var seconds = int.Parse(options.Get("metrics", "2"), CultureInfo.InvariantCulture);
            builder.Services.AddSingleton(_ => new DemoMetrics(Console.Out, seconds));
        }
        // What the tools gRPC developers use expect of a server: reflection (grpcurl, Postman and
        // grpcui list and call its methods without the .proto) and the standard health service.
        builder.Services.AddGrpcReflection();
        // Answered from the health checks when asked (no cache): SERVING from the first call, not after the first publication.
        // One check, "the process serves": with no check at all the answer would be UNKNOWN.
        builder.Services.AddGrpcHealthChecks(health => health.UseHealthChecksCache = false)
            .AddCheck("server", () => HealthCheckResult.Healthy("The demo server is running."));
        // A stream (a chat member, say) never ends on its own, and a graceful stop waits for
        // calls in progress: by default 30 s, with the clients left hanging. Ctrl+C stops the
        // demo within ShutdownTimeout instead, and its clients get UNAVAILABLE at once.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        return builder;
    }

    /// <summary>Maps reflection and health, starts <c>--wire</c> and <c>--metrics</c>, and prints the "listening on" line once the server listens.</summary>
    public static WebApplication MapDemoTools(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DemoOptions>();
        if (app.Services.GetService<ServerWire>() is { } wire)
        {
            app.Use(wire.InvokeAsync);
        }
        // Resolved now, so it starts listening to the counters; the app disposes of it when it stops.
        app.Services.GetService<DemoMetrics>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // The port actually bound, which differs from --port when that is 0 (any free port).
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? $"port {options.Port}";
            Console.WriteLine($"{options.Title}: server listening on {address} (Ctrl+C to stop)");
        });
        return app;
    }
}
