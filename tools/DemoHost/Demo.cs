using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamingTutorial.DemoHost.Wire;

namespace StreamingTutorial.DemoHost;

/// <summary>A chapter's demo: how to serve it and how to run its client.</summary>
public sealed class DemoApp
{
    public required string Title { get; init; }

    /// <summary>The command that runs this demo, for messages ("dotnet run --project solutions/01-unary").</summary>
    public required string Command { get; init; }

    public Action<IServiceCollection, DemoOptions>? ConfigureServer { get; init; }

    public required Action<WebApplication> MapServer { get; init; }

    /// <summary>The client: it makes its generated clients from the call invoker (a channel, with <c>--wire</c>'s interceptor when asked).</summary>
    public required Func<CallInvoker, DemoOptions, CancellationToken, Task> RunClient { get; init; }
}

/// <summary>Runs a chapter's demo program: <c>server</c> or <c>client</c>, with <c>--port</c> and other options.</summary>
public static class Demo
{
    public const int DefaultPort = 50051;

    /// <summary>The exit code of a client whose call Ctrl+C stopped: 128 + SIGINT, as shells report it.</summary>
    public const int CancelledExitCode = 130;

    /// <summary>How long Ctrl+C lets calls in progress finish before the server drops them.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args, DemoApp app)
    {
        DemoOptions options;
        try
        {
            options = DemoOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            PrintUsage(app);
            return 2;
        }
        return options.Mode switch
        {
            "server" => await RunServerAsync(app, options),
            "client" => await RunClientAsync(app, options),
            _ => PrintUsage(app),
        };
    }

    private static int PrintUsage(DemoApp app)
    {
        Console.WriteLine(app.Title);
        Console.WriteLine();
        Console.WriteLine("Usage:");
        Console.WriteLine($"  {app.Command} -- server [--port {DefaultPort}] [--listen-any] [--wire] [--metrics [seconds]]");
        Console.WriteLine($"  {app.Command} -- client [--port {DefaultPort}] [--host 127.0.0.1] [--wire]");
        Console.WriteLine();
        Console.WriteLine("  --wire     print each call as it goes over the wire: headers, messages, HTTP/2 frames, trailers");
        Console.WriteLine("  --metrics  print grpc-dotnet's counters (calls, failures, messages) every 2 seconds, or every [seconds]");
        return 2;
    }

    private static async Task<int> RunServerAsync(DemoApp app, DemoOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var address = options.Has("listen-any") ? IPAddress.Any : IPAddress.Loopback;
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http2));
        var wire = options.Has("wire") ? new ServerWire(new WireTrace(Console.Out)) : null;
        builder.Services.AddGrpc(grpc =>
        {
            if (wire is not null)
            {
                grpc.Interceptors.Add<ServerWireInterceptor>(wire);
            }
        });
        // What the tools gRPC developers use expect of a server: reflection (grpcurl, Postman and
        // grpcui list and call its methods without the .proto) and the standard health service.
        builder.Services.AddGrpcReflection();
        // Answered from the health checks when asked (no cache): SERVING from the first call, not after the first publication.
        // One check, "the process serves": with no check at all the answer would be UNKNOWN.
        builder.Services.AddGrpcHealthChecks(health => health.UseHealthChecksCache = false)
            .AddCheck("server", () => HealthCheckResult.Healthy("The demo server is running."));
        if (wire is not null)
        {
            // Kestrel logs every HTTP/2 frame at Trace, grpc-dotnet each step of a call at Debug.
            builder.Logging.AddProvider(new ServerWireLoggerProvider(wire));
            builder.Logging.AddFilter<ServerWireLoggerProvider>(null, LogLevel.None);
            builder.Logging.AddFilter<ServerWireLoggerProvider>(ServerWire.KestrelHttp2Category, LogLevel.Trace);
            builder.Logging.AddFilter<ServerWireLoggerProvider>(ServerWire.GrpcServerCategory, LogLevel.Debug);
        }
        using var metrics = options.Has("metrics")
            ? new DemoMetrics(Console.Out, int.Parse(options.Get("metrics", "2"), System.Globalization.CultureInfo.InvariantCulture))
            : null;
        // A stream (a chat member, say) never ends on its own, and a graceful stop waits for
        // calls in progress: by default 30 s, with the clients left hanging. Ctrl+C stops the
        // demo within ShutdownTimeout instead, and its clients get UNAVAILABLE at once.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        app.ConfigureServer?.Invoke(builder.Services, options);

        var web = builder.Build();
        if (wire is not null)
        {
            web.Use(wire.InvokeAsync);
        }
        app.MapServer(web);
        web.MapGrpcReflectionService();
        web.MapGrpcHealthChecksService();
        try
        {
            await web.StartAsync();
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"Port {options.Port} is in use. Stop the other server, or start this one with --port <another port>.");
            return 1;
        }
        // The port actually bound, which differs from --port when that is 0 (any free port).
        var listening = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{address}:{options.Port}";
        Console.WriteLine($"{app.Title}: server listening on {listening} (Ctrl+C to stop)");
        await web.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<int> RunClientAsync(DemoApp app, DemoOptions options)
    {
        var target = $"http://{options.Get("host", "127.0.0.1")}:{options.Port}";
        var wire = options.Has("wire") ? new ClientWire(new WireTrace(Console.Out)) : null;
        using var logging = wire is null ? null : LoggerFactory.Create(log => log
            .AddProvider(new ClientWireLoggerProvider(wire))
            .AddFilter(null, LogLevel.None)
            .AddFilter(ClientWire.GrpcClientCategory, LogLevel.Debug));
        using var channel = GrpcChannel.ForAddress(target, wire is null ? new GrpcChannelOptions() : new GrpcChannelOptions
        {
            HttpHandler = new ClientWireHandler(wire, new SocketsHttpHandler { EnableMultipleHttp2Connections = true }),
            LoggerFactory = logging,
        });
        var invoker = wire is null ? channel.CreateCallInvoker() : channel.Intercept(wire);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Ctrl+C cancels the calls in flight instead of killing the process, so streams end
            // cleanly. A second Ctrl+C, if something still runs, ends the program at once.
            if (stop.IsCancellationRequested)
            {
                return;
            }
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await app.RunClient(invoker, options, stop.Token);
            return 0;
        }
        catch (DemoOptionException ex)
        {
            // A wrong option is the user's typo, not a crash: say which and how to fix it, no stack trace.
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine($"Usage: {app.Command} -- client [--port {DefaultPort}] [--host 127.0.0.1] [options of the chapter]");
            return 2;
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl+C stopped a call in progress: the user asked for it, so no error, but not a success either.
            Console.Error.WriteLine("Stopped (Ctrl+C): the call in progress was cancelled.");
            return CancelledExitCode;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            Console.Error.WriteLine($"No server at {target}, or it went away ({ex.Status.Detail}). Start it, in another terminal: {app.Command} -- server");
            return 1;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"The call failed: {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
        catch (NotImplementedException ex)
        {
            // The client's own TODO is still the starter's: say which, rather than a stack trace.
            Console.Error.WriteLine($"Not written yet: {ex.Message}. Do that exercise, then run the client again.");
            return 1;
        }
    }
}

/// <summary>The demo's command line: a mode, then <c>--name value</c> pairs and <c>--flag</c>s.</summary>
public sealed class DemoOptions
{
    private readonly Dictionary<string, string?> values = new(StringComparer.OrdinalIgnoreCase);

    private DemoOptions(string mode)
    {
        Mode = mode;
    }

    public string Mode { get; }

    public int Port => int.Parse(Get("port", Demo.DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);

    public bool Has(string name) => values.ContainsKey(name);

    public string Get(string name, string fallback) => values.TryGetValue(name, out var value) && value is not null ? value : fallback;

    /// <summary>A whole-number option from <paramref name="min"/> to <paramref name="max"/>; anything else is a <see cref="DemoOptionException"/> that says what is wrong.</summary>
    public int GetInt(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (text is null)
        {
            throw new DemoOptionException($"--{name} needs a number from {min} to {max}.");
        }
        if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new DemoOptionException($"--{name} needs a whole number from {min} to {max}, not '{text}'.");
        }
        return (int)number;
    }

    /// <summary>A text option of 1 to <paramref name="maxLength"/> characters, without control characters.</summary>
    public string GetText(string name, string fallback, int maxLength)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length > maxLength || text.Any(char.IsControl))
        {
            throw new DemoOptionException($"--{name} needs a text of 1 to {maxLength} characters, not '{text}'.");
        }
        return text.Trim();
    }

    public static DemoOptions Parse(string[] args)
    {
        var options = new DemoOptions(args.Length > 0 ? args[0].ToLowerInvariant() : "");
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
            var name = args[i][2..];
            string? value = null;
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            options.values[name] = value;
        }
        if (options.values.TryGetValue("port", out var port) && (!int.TryParse(port, out var p) || p is < 0 or > 65535))
        {
            throw new ArgumentException($"--port needs a number from 0 to 65535, not '{port}'.");
        }
        return options;
    }
}

/// <summary>An option the user gave is missing its value or out of range; the message says which and what it needs.</summary>
public sealed class DemoOptionException(string message) : ArgumentException(message);
