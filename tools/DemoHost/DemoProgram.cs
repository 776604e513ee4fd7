using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using StreamingTutorial.DemoHost.Wire;

namespace StreamingTutorial.DemoHost;

/// <summary>
/// A chapter's program: its mode (<c>server</c>, <c>client</c> or <c>demo</c>) and options, and
/// what every mode does around the chapter's own code: usage and option errors (exit 2), a port
/// already taken, the client's channel (with <c>--wire</c>'s tracing), Ctrl+C (exit 130) and a
/// missing server (exit 1).
/// </summary>
public sealed class DemoProgram
{
    public const int DefaultPort = 50051;

    /// <summary>The exit code of a client whose call Ctrl+C stopped: 128 + SIGINT, as shells report it.</summary>
    public const int CancelledExitCode = 130;

    private readonly string? error;

    /// <param name="args">The program's arguments: a mode, then <c>--name value</c> pairs and <c>--flag</c>s.</param>
    /// <param name="title">The chapter, as the "listening on" line and the usage name it.</param>
    /// <param name="command">The command that runs the program, for messages ("dotnet run --project chapters/01-unary").</param>
    public DemoProgram(string[] args, string title, string command)
    {
        Title = title;
        Command = command;
        try
        {
            Options = DemoOptions.Parse(args, title);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            Options = DemoOptions.Parse([], title);
        }
    }

    public string Title { get; }

    public string Command { get; }

    public DemoOptions Options { get; }

    /// <summary>"server", "client", "demo", or anything else the user typed ("" when the arguments were wrong).</summary>
    public string Mode => error is null ? Options.Mode : "";

    /// <summary>What the modes are (after the error, if the arguments were wrong); exit code 2.</summary>
    public int PrintUsage()
    {
        if (error is not null)
        {
            Console.Error.WriteLine(error);
        }
        Console.WriteLine(Title);
        Console.WriteLine();
        Console.WriteLine("Usage:");
        Console.WriteLine($"  {Command} -- server [--port {DefaultPort}] [--wire] [--metrics [seconds]]");
        Console.WriteLine($"  {Command} -- client [--port {DefaultPort}] [--host 127.0.0.1] [--wire]");
        Console.WriteLine($"  {Command} -- demo   [--port {DefaultPort}] [--wire]    (the scripted client the workbook's demo command runs)");
        Console.WriteLine();
        Console.WriteLine("  --wire     print each call as it goes over the wire: headers, messages, HTTP/2 frames, trailers");
        Console.WriteLine("  --metrics  print grpc-dotnet's counters (calls, failures, messages) every 2 seconds, or every [seconds]");
        return 2;
    }

    /// <summary>Runs the server until Ctrl+C; a port already in use is a one-line message and exit code 1, not a stack trace.</summary>
    public async Task<int> ServeAsync(Func<DemoOptions, Task> serve)
    {
        try
        {
            await serve(Options);
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"Port {Options.Port} is in use. Stop the other server, or start this one with --port <another port>.");
            return 1;
        }
    }

    /// <summary>Runs a client (the <c>client</c> or <c>demo</c> mode) over a channel to <c>--host</c>:<c>--port</c>.</summary>
    public async Task<int> CallAsync(Func<CallInvoker, DemoOptions, CancellationToken, Task> run)
    {
        var target = $"http://{Options.Get("host", "127.0.0.1")}:{Options.Port}";
        var wire = Options.Has("wire") ? new ClientWire(new WireTrace(Console.Out)) : null;
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
            await run(invoker, Options, stop.Token);
            return 0;
        }
        catch (DemoOptionException ex)
        {
            // A wrong option is the user's typo, not a crash: say which and how to fix it, no stack trace.
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine($"Usage: {Command} -- {Options.Mode} [--port {DefaultPort}] [--host 127.0.0.1] [options of the chapter]");
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
            Console.Error.WriteLine($"No server at {target}, or it went away ({ex.Status.Detail}). Start it, in another terminal: {Command} -- server");
            return 1;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"The call failed: {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
        catch (DemoFailedException ex)
        {
            Console.Error.WriteLine(ex.Message);
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

/// <summary>The program's command line: a mode, then <c>--name value</c> pairs and <c>--flag</c>s.</summary>
public sealed class DemoOptions
{
    private readonly Dictionary<string, string?> values = new(StringComparer.OrdinalIgnoreCase);

    private DemoOptions(string mode, string title)
    {
        Mode = mode;
        Title = title;
    }

    public string Mode { get; }

    /// <summary>The chapter's title, for the server's "listening on" line.</summary>
    public string Title { get; }

    public int Port => int.Parse(Get("port", DemoProgram.DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);

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

    public static DemoOptions Parse(string[] args, string title = "")
    {
        var options = new DemoOptions(args.Length > 0 ? args[0].ToLowerInvariant() : "", title);
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

/// <summary>A scripted demo did not go as scripted (a message never arrived, say); the message says what, and the exit code is 1.</summary>
public sealed class DemoFailedException(string message) : Exception(message);
