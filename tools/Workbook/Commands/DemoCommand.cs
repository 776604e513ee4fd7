using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Spectre.Console;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>
/// demo N: runs the chapter's program as the README describes it, server and client, without
/// opening a second terminal. It runs the learner's chapter (their own code at work), or the
/// reference solution with --solution. The server runs in .workbook/demo/, so the files it
/// stores stay out of the way.
/// </summary>
public static partial class DemoCommand
{
    /// <summary>The size of the file the chapter 3 demo uploads when no --file is given: big enough to watch the bar move.</summary>
    private const long UploadSize = 128L * 1024 * 1024;

    /// <summary>With --wire every chunk is traced: a file this size is a screenful, not thousands.</summary>
    private const long WireUploadSize = 64L * 1024;

    public static async Task<int> RunAsync(WorkbookFolder workbook, CommandLine line)
    {
        var useSolution = line.Has("solution");
        // --wire: server and client print every call as it crosses the wire; --metrics: the server prints grpc-dotnet's counters.
        var wire = line.Has("wire");
        var metrics = line.Has("metrics");
        var portText = line.Option("port");
        var file = line.Option("file");
        line.EnsureAllUsed(maxPositional: 1);
        if (line.Positional.Count == 0)
        {
            throw new UsageException($"Which chapter? {WorkbookFolder.Command} demo N (chapters are {workbook.ChapterRange()}).");
        }
        var chapter = workbook.ParseChapter(line.Positional[0]);
        var folder = useSolution ? workbook.SolutionFolder(chapter) : workbook.ChapterFolder(chapter);
        var shown = $"{(useSolution ? "solutions" : "chapters")}/{chapter.Folder}";
        var project = Path.Combine(folder, chapter.Project);
        if (!File.Exists(project))
        {
            throw new UsageException($"{shown}/{chapter.Project} does not exist, so chapter {chapter.Number} has no demo yet.");
        }
        var port = portText is null ? FreePort() : ParsePort(portText);
        if (!IsFree(port))
        {
            throw new UsageException($"Port {port} is in use. Stop the program that uses it (maybe another demo server), or pick another port: --port <n>.");
        }
        if (file is not null && chapter.Number != 3)
        {
            throw new UsageException("--file is for chapter 3's uploader.");
        }
        if (file is not null && !File.Exists(file))
        {
            throw new UsageException($"No file at '{file}': give --file the path of a file to upload.");
        }

        if (!useSolution)
        {
            var state = WorkbookState.Load(workbook.StateFolder);
            var unfinished = chapter.Exercises.Where(e => state.GradeOf(e.Id) != ExerciseState.Done).Select(e => e.Id).ToList();
            if (unfinished.Count > 0)
            {
                AnsiConsole.MarkupLine($"[yellow]This runs your code, and exercise{(unfinished.Count > 1 ? "s" : "")} {string.Join(", ", unfinished)} {(unfinished.Count > 1 ? "are" : "is")} not done (as last graded): those parts will fail.[/]");
                AnsiConsole.MarkupLine($"[grey]The reference solution's demo: {Markup.Escape(WorkbookFolder.Command)} demo {chapter.Number} --solution[/]");
            }
        }

        ProcessResult? build = null;
        await AnsiConsole.Status().StartAsync($"Building {shown}...", async _ =>
            build = await Processes.RunAsync("dotnet", ["build", project, "--nologo", "-v", "q", "-clp:NoSummary"], workbook.Root));
        if (build!.ExitCode != 0)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(shown)} does not build:[/]");
            foreach (var error in BuildErrors.FromMsBuildOutput(build.AllOutput, workbook.Root).Take(BuildErrors.MaxShown).DefaultIfEmpty(build.AllOutput.Trim()))
            {
                AnsiConsole.MarkupLine($"  [red]{Markup.Escape(error)}[/]");
            }
            return 1;
        }

        var workDirectory = Path.Combine(workbook.StateFolder, "demo", chapter.Folder);
        Directory.CreateDirectory(workDirectory);
        var command = $"dotnet run --project {shown}";
        string[] serverOptions = [.. wire ? ["--wire"] : Array.Empty<string>(), .. metrics ? ["--metrics"] : Array.Empty<string>()];
        string[] clientOptions = wire ? ["--wire"] : [];
        using var server = StartProgram(project, workDirectory, "server", port, redirectInput: false, serverOptions);
        var listening = await WaitForServerAsync(server, TimeSpan.FromSeconds(60), echo: wire || metrics);
        if (listening is null)
        {
            AnsiConsole.MarkupLine("[red]The server did not start:[/]");
            AnsiConsole.WriteLine(ReadRest(server));
            return 1;
        }
        AnsiConsole.MarkupLine($"[green]Server:[/] {Markup.Escape(listening)}");
        AnsiConsole.MarkupLine($"[grey](the same as '{Markup.Escape(command)} -- server --port {port}{(serverOptions.Length > 0 ? " " + string.Join(' ', serverOptions) : "")}' in a terminal of its own; it keeps its files in {Markup.Escape(BuildErrors.Relative(workbook.Root, workDirectory))})[/]");
        if (wire)
        {
            AnsiConsole.MarkupLine("[grey]Wire traces: 'server |' lines are the server's view, the others the client's; '<-' came in, '->' went out, '#n' is the call.[/]");
        }
        try
        {
            return chapter.Number switch
            {
                3 => await UploadAsync(project, workDirectory, port, command, file, clientOptions),
                5 => await ChatAsync(project, workDirectory, port, command, clientOptions),
                // Chapter 2's time updates run until Ctrl+C; a handful is enough for a demo.
                2 => await RunClientAsync(project, workDirectory, port, command, ["--interval", "500", "--updates", "6", .. clientOptions]),
                _ => await RunClientAsync(project, workDirectory, port, command, clientOptions),
            };
        }
        finally
        {
            Stop(server);
            AnsiConsole.MarkupLine("[grey]Server stopped.[/]");
        }
    }

    /// <summary>The client, in this terminal, as the learner would run it.</summary>
    private static async Task<int> RunClientAsync(string project, string workDirectory, int port, string command, string[] extra)
    {
        AnsiConsole.MarkupLine($"[green]Client:[/] {Markup.Escape(command)} -- client --port {port} {string.Join(' ', extra)}");
        // Ctrl+C belongs to the client now (it cancels its calls cleanly); the server is stopped after it.
        using var ignore = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = workDirectory };
        foreach (var argument in (string[])["run", "--no-build", "--project", project, "--", "client", "--port", port.ToString(CultureInfo.InvariantCulture), .. extra])
        {
            start.ArgumentList.Add(argument);
        }
        using var client = Process.Start(start)!;
        await client.WaitForExitAsync();
        return client.ExitCode;
    }

    /// <summary>Chapter 3: uploads a file with the learner's client, its progress drawn as a live bar.</summary>
    private static async Task<int> UploadAsync(string project, string workDirectory, int port, string command, string? file, string[] clientOptions)
    {
        if (file is null)
        {
            var size = clientOptions.Length > 0 ? WireUploadSize : UploadSize;
            file = Path.Combine(workDirectory, size == UploadSize ? "demo-upload.bin" : "demo-upload-small.bin");
            if (!File.Exists(file) || new FileInfo(file).Length != size)
            {
                await WriteDemoFileAsync(file, size);
            }
        }
        AnsiConsole.MarkupLine($"[green]Client:[/] {Markup.Escape(command)} -- client --port {port} --file {Markup.Escape(file)} {string.Join(' ', clientOptions)}");
        using var client = StartProgram(project, workDirectory, "client", port, redirectInput: false, ["--file", Path.GetFullPath(file), .. clientOptions]);

        // The chapter's client draws its own bar with \r; read it as it comes and show it as a Spectre bar.
        var segments = Channel.CreateUnbounded<string>();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            var current = new StringBuilder();
            int read;
            while ((read = await client.StandardOutput.ReadAsync(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] is '\r' or '\n')
                    {
                        segments.Writer.TryWrite(current.ToString());
                        current.Clear();
                    }
                    else
                    {
                        current.Append(buffer[i]);
                    }
                }
            }
            if (current.Length > 0)
            {
                segments.Writer.TryWrite(current.ToString());
            }
            segments.Writer.Complete();
        });
        var errors = client.StandardError.ReadToEndAsync();

        var pending = new List<string>();
        await foreach (var segment in segments.Reader.ReadAllAsync())
        {
            if (ProgressSegment().Match(segment) is not { Success: true } first)
            {
                if (segment.Length > 0)
                {
                    AnsiConsole.WriteLine(segment);
                }
                continue;
            }
            // The upload has started: follow it with a bar until it reaches 100 % or the client stops.
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var total = ParseBytes(first.Groups["total"].Value);
                    var task = context.AddTask($"Uploading {Path.GetFileName(file)}", maxValue: total > 0 ? total : 100);
                    void Update(Match match)
                    {
                        var sent = ParseBytes(match.Groups["sent"].Value);
                        task.Value = total > 0 ? sent : double.Parse(match.Groups["percent"].Value, CultureInfo.InvariantCulture);
                    }
                    Update(first);
                    while (!task.IsFinished && await segments.Reader.WaitToReadAsync())
                    {
                        while (!task.IsFinished && segments.Reader.TryRead(out var next))
                        {
                            if (ProgressSegment().Match(next) is { Success: true } match)
                            {
                                Update(match);
                            }
                            else if (next.Length > 0)
                            {
                                pending.Add(next);
                            }
                        }
                    }
                });
            foreach (var text in pending)
            {
                AnsiConsole.WriteLine(text);
            }
            pending.Clear();
        }
        await reading;
        await client.WaitForExitAsync();
        var errorText = (await errors).Trim();
        if (errorText.Length > 0)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(errorText)}[/]");
        }
        return client.ExitCode;
    }

    /// <summary>Chapter 5: two scripted members chat in the room, then the room stays open for the learner's own clients.</summary>
    private static async Task<int> ChatAsync(string project, string workDirectory, int port, string command, string[] clientOptions)
    {
        AnsiConsole.MarkupLine($"Two members join the room, each a '{Markup.Escape(command)} -- client --port {port}' fed by a script:");
        // One after the other, each once the room has announced it, so the server numbers them in this order.
        await using var first = ChatMember.Start(StartProgram(project, workDirectory, "client", port, redirectInput: true, clientOptions), "member 1", "blue");
        var joined = await first.WaitForAsync(l => l.Contains("has joined", StringComparison.Ordinal));
        await using var second = ChatMember.Start(StartProgram(project, workDirectory, "client", port, redirectInput: true, clientOptions), "member 2", "fuchsia");
        joined = joined && await second.WaitForAsync(l => l.Contains("has joined", StringComparison.Ordinal));
        if (joined)
        {
            // Each line is sent once the previous one has reached the other member: the room relays every message to everyone.
            foreach (var (speaker, listener, text) in new[]
            {
                (first, second, "Hello, is anyone here?"),
                (second, first, "Hi! Every message reaches every member."),
                (first, second, "Even while we both type. Bye!"),
            })
            {
                await speaker.SayAsync(text);
                if (!await listener.WaitForAsync(l => l.Contains(text, StringComparison.Ordinal)))
                {
                    AnsiConsole.MarkupLine($"[red]{listener.Name} did not receive \"{Markup.Escape(text)}\" within 20 seconds.[/]");
                    break;
                }
            }
        }
        else
        {
            AnsiConsole.MarkupLine("[red]The members were not announced in the room within 20 seconds.[/]");
        }
        await first.SayAsync("exit");
        await second.SayAsync("exit");
        var left = await first.WaitForExitAsync() & await second.WaitForExitAsync();

        if (Console.IsInputRedirected)
        {
            return joined && left ? 0 : 1;
        }
        AnsiConsole.MarkupLine("The room is still open. Join it from other terminals (two or more!):");
        AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(command)} -- client --port {port}[/]");
        AnsiConsole.MarkupLine("Press Enter here to close the room.");
        await Task.Run(Console.ReadLine);
        return 0;
    }

    /// <summary>A scripted chat client: what it prints is shown with its name, and can be waited for.</summary>
    private sealed class ChatMember : IAsyncDisposable
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
        private readonly Process process;
        private readonly List<string> lines = [];
        private readonly SemaphoreSlim arrived = new(0);
        private Task echo = Task.CompletedTask;

        private ChatMember(Process process, string name)
        {
            this.process = process;
            Name = name;
        }

        public string Name { get; }

        public static ChatMember Start(Process process, string name, string color)
        {
            var member = new ChatMember(process, name);
            member.echo = member.EchoAsync(color);
            return member;
        }

        public async Task SayAsync(string text)
        {
            if (!process.HasExited)
            {
                await process.StandardInput.WriteLineAsync(text);
                await process.StandardInput.FlushAsync();
            }
        }

        /// <summary>True once the member has printed a matching line; false after 20 seconds or if it stopped.</summary>
        public async Task<bool> WaitForAsync(Func<string, bool> match)
        {
            var seen = 0;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < Patience)
            {
                lock (lines)
                {
                    if (lines.Skip(seen).Any(match))
                    {
                        return true;
                    }
                    seen = lines.Count;
                }
                if (echo.IsCompleted || !await arrived.WaitAsync(Patience - deadline.Elapsed))
                {
                    return false;
                }
            }
            return false;
        }

        public async Task<bool> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                await echo;
                return process.ExitCode == 0;
            }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine($"[red]{Name} did not leave within 20 seconds; stopping it.[/]");
                Stop(process);
                return false;
            }
        }

        private async Task EchoAsync(string color)
        {
            var errors = process.StandardError.ReadToEndAsync();
            while (await process.StandardOutput.ReadLineAsync() is { } text)
            {
                AnsiConsole.MarkupLine($"[{color}]{Name} |[/] {Markup.Escape(text)}");
                lock (lines)
                {
                    lines.Add(text);
                }
                arrived.Release();
            }
            foreach (var text in (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                AnsiConsole.MarkupLine($"[{color}]{Name} |[/] [red]{Markup.Escape(text)}[/]");
            }
            arrived.Release();
        }

        public async ValueTask DisposeAsync()
        {
            Stop(process);
            await echo.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            process.Dispose();
            arrived.Dispose();
        }
    }

    private static Process StartProgram(string project, string workDirectory, string mode, int port, bool redirectInput, params string[] extra)
    {
        var start = Processes.StartInfo("dotnet", ["run", "--no-build", "--project", project, "--", mode, "--port", port.ToString(CultureInfo.InvariantCulture), .. extra], workDirectory);
        start.RedirectStandardInput = redirectInput;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
    }

    /// <summary>The server's "listening" line, or null if it stopped first (its reason is in its output).</summary>
    private static async Task<string?> WaitForServerAsync(Process server, TimeSpan timeout, bool echo)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await server.StandardOutput.ReadLineAsync(cancel.Token) is { } text)
            {
                if (text.Contains("listening", StringComparison.OrdinalIgnoreCase))
                {
                    // Keep draining the server's output, so it never blocks on a full pipe; with --wire or
                    // --metrics it is what the learner came to see.
                    _ = echo ? EchoAsync(server.StandardOutput) : server.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                    _ = server.StandardError.BaseStream.CopyToAsync(Stream.Null);
                    return text;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }

    private static async Task EchoAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } text)
        {
            AnsiConsole.MarkupLine($"[grey]server |[/] {Markup.Escape(text)}");
        }
    }

    private static string ReadRest(Process server)
    {
        if (!server.HasExited)
        {
            Stop(server);
        }
        return (server.StandardOutput.ReadToEnd() + server.StandardError.ReadToEnd()).Trim();
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

    private static async Task WriteDemoFileAsync(string path, long size)
    {
        var block = new byte[1024 * 1024];
        Random.Shared.NextBytes(block);
        await using var stream = File.Create(path);
        for (long written = 0; written < size; written += block.Length)
        {
            await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new UsageException($"--port needs a number from 1 to 65535, not '{text}'.");

    /// <summary>"1,048,576" (or "1.048.576", "1 048 576": the client formats for its culture) as a number.</summary>
    private static double ParseBytes(string text)
    {
        var digits = new string(text.Where(char.IsDigit).ToArray());
        return digits.Length > 0 ? double.Parse(digits, CultureInfo.InvariantCulture) : 0;
    }

    // The chapter 3 client's bar: "[#####.....]  40%  1,048,576 of 2,621,440 bytes".
    [GeneratedRegex(@"\]\s*(?<percent>\d+)%\s+(?<sent>[\d.,\u00a0\u202f ]+?)\s+of\s+(?<total>[\d.,\u00a0\u202f ]+?)\s+bytes")]
    private static partial Regex ProgressSegment();
}
