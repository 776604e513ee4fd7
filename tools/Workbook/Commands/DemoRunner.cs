using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>What to run: the server's port (0: any free one), its options, the demo's extra arguments, and what stays open after.</summary>
/// <param name="StayOpen">The catalog's text shown after the scripted part, while the server stays up for the learner's own clients; null: stop at once.</param>
/// <param name="ServerFolder">Where the server runs (and keeps its files); <paramref name="ServerFolderShown"/> is how it is named to the learner.</param>
public sealed record DemoRequest(int Port, bool Wire, bool Metrics, IReadOnlyList<string> Extra, string? StayOpen, string ServerFolder, string ServerFolderShown);

/// <summary>
/// The demo contract, tool side: start the chapter's program in <c>server</c> mode, wait for its
/// "listening on http://127.0.0.1:PORT" line, run its <c>demo</c> mode with the terminal inherited,
/// keep the server open if the chapter asks for it, then stop the server. The exit code is the demo's.
/// </summary>
/// <param name="command">How the learner would start the program by hand, for the equivalent commands shown.</param>
/// <param name="program">The program and arguments that run the chapter in a mode, with these arguments, in a working directory.</param>
public sealed partial class DemoRunner(IAnsiConsole console, string command, Func<string, IReadOnlyList<string>, string, (string FileName, IReadOnlyList<string> Arguments)> program)
{
    /// <summary>The exit code of a demo stopped with Ctrl+C (128 + SIGINT): nothing stays open after it.</summary>
    public const int Interrupted = 130;

    public TimeSpan ServerPatience { get; init; } = TimeSpan.FromSeconds(60);

    /// <param name="waitForEnter">Waits for the learner to close what stays open; null when nobody can answer (input redirected).</param>
    public async Task<int> RunAsync(DemoRequest request, Func<Task>? waitForEnter)
    {
        string[] serverOptions = [.. request.Wire ? ["--wire"] : Array.Empty<string>(), .. request.Metrics ? ["--metrics"] : Array.Empty<string>()];
        var (serverFile, serverArguments) = program("server", ["--port", Number(request.Port), .. serverOptions], request.ServerFolder);
        using var server = Process.Start(Processes.StartInfo(serverFile, serverArguments, request.ServerFolder))
            ?? throw new InvalidOperationException($"Could not start {serverFile}.");
        var echo = request.Wire || request.Metrics;
        var (listening, port, stopped, before) = await WaitForServerAsync(server);
        if (listening is null)
        {
            console.MarkupLine(stopped
                ? "[red]The server did not start:[/]"
                : $"[red]The server did not say it was listening within {ServerPatience.TotalSeconds:0} seconds:[/]");
            Stop(server);
            console.WriteLine(string.Join(Environment.NewLine, before.Append(server.StandardError.ReadToEnd().Trim())).Trim());
            return 1;
        }
        try
        {
            console.MarkupLine($"[green]Server:[/] {Markup.Escape(listening)}");
            console.MarkupLine($"[grey](the same as '{Markup.Escape(Line(command, ["--", "server", "--port", Number(port), .. serverOptions]))}' in a terminal of its own; it keeps its files in {Markup.Escape(request.ServerFolderShown)})[/]");
            if (request.Wire)
            {
                console.MarkupLine("[grey]Wire traces: 'server |' lines are the server's view, the others the client's; '<-' came in, '->' went out, '#n' is the call.[/]");
            }
            foreach (var text in echo ? before : [])
            {
                console.MarkupLine($"[grey]server |[/] {Markup.Escape(text)}");
            }
            // Keep draining the server's output, so it never blocks on a full pipe; with --wire or --metrics it is what the learner came to see.
            var draining = Task.WhenAll(DrainAsync(server.StandardOutput, echo), DrainAsync(server.StandardError, echo));

            string[] demoArguments = ["--port", Number(port), .. request.Wire ? ["--wire"] : Array.Empty<string>(), .. request.Extra];
            console.MarkupLine($"[green]Demo:[/] {Markup.Escape(Line(command, ["--", "demo", .. demoArguments]))}");
            // In the learner's folder, where a path they give the demo (-- --file photo.jpg) is meant from.
            var exitCode = await RunInTerminalAsync(program("demo", demoArguments, Environment.CurrentDirectory));

            if (request.StayOpen is { } stayOpen && exitCode != Interrupted && waitForEnter is not null && !server.HasExited)
            {
                console.MarkupLine(Markup.Escape(stayOpen));
                console.MarkupLine($"  [bold]{Markup.Escape(Line(command, ["--", "client", "--port", Number(port)]))}[/]");
                console.MarkupLine("Press Enter here to close it.");
                await waitForEnter();
            }
            Stop(server);
            await draining.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            return exitCode;
        }
        finally
        {
            Stop(server);
            console.MarkupLine("[grey]Server stopped.[/]");
        }
    }

    /// <summary>The demo, in this terminal: it writes (and draws) there itself, and Ctrl+C is its to handle.</summary>
    private static async Task<int> RunInTerminalAsync((string FileName, IReadOnlyList<string> Arguments) demo)
    {
        // The terminal sends Ctrl+C to the demo and the server as well: this process lives on, to stop the server and report.
        using var ignore = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        var start = Processes.StartInfo(demo.FileName, demo.Arguments);
        start.RedirectStandardOutput = false;
        start.RedirectStandardError = false;
        start.StandardOutputEncoding = null;
        start.StandardErrorEncoding = null;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {demo.FileName}.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>The server's listening line and port, or null if it stopped or kept silent too long; with what it printed before.</summary>
    private async Task<(string? Line, int Port, bool Stopped, List<string> Before)> WaitForServerAsync(Process server)
    {
        var before = new List<string>();
        using var patience = new CancellationTokenSource(ServerPatience);
        try
        {
            while (await server.StandardOutput.ReadLineAsync(patience.Token) is { } text)
            {
                if (Listening().Match(text) is { Success: true } match)
                {
                    return (text, int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture), false, before);
                }
                before.Add(text);
            }
            return (null, 0, true, before);
        }
        catch (OperationCanceledException)
        {
        }
        return (null, 0, false, before);
    }

    private async Task DrainAsync(StreamReader output, bool echo)
    {
        while (await output.ReadLineAsync() is { } text)
        {
            if (echo)
            {
                console.MarkupLine($"[grey]server |[/] {Markup.Escape(text)}");
            }
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A command as it would be typed: arguments with spaces quoted.</summary>
    private static string Line(string start, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a).Prepend(start));

    // The contract's line: "... listening on http://127.0.0.1:50051 ...".
    [GeneratedRegex(@"listening on https?://[^\s/]+:(?<port>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex Listening();
}
