using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests;

/// <summary>
/// The chapter 5 program as a person uses it: one server process and two client processes
/// (the built solutions/05 program, Chapter05.ChatRoom.dll), lines typed into the clients'
/// stdin, and what each client prints checked line by line. Needs no peer.
/// </summary>
[TestFixture]
[Category("Demo")]
[NonParallelizable]
public sealed class ChatProcessTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private readonly List<ChatProcess> started = [];

    [TearDown]
    public void KillProcesses()
    {
        foreach (var process in started)
        {
            process.Dispose();
        }
        started.Clear();
    }

    [Test]
    public async Task Two_members_chat_then_leave_with_exit_and_with_the_end_of_input()
    {
        var (_, port) = await StartServerAsync();

        var one = Start("client 1", "client", "--port", port, "--name", Name(1));
        await one.WaitForLineAsync("the welcome", l => l.StartsWith("Joined the chat.", StringComparison.Ordinal));
        await one.WaitForLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);
        var two = Start("client 2", "client", "--port", port, "--name", Name(2));
        await two.WaitForLineAsync("its own join notice", Notice(2, "has joined the chat").IsMatch);
        await one.WaitForLineAsync("client 2's join notice", Notice(2, "has joined the chat").IsMatch);

        one.Type("hello");
        await two.WaitForLineAsync("client 1's line", Line(1, "hello").IsMatch);
        await one.WaitForLineAsync("its own line, sent back by the room", Line(1, "hello").IsMatch);
        two.Type("hi there, one");
        await one.WaitForLineAsync("client 2's line", Line(2, "hi there, one").IsMatch);

        // "exit" leaves: the client says so and ends with 0; the other member hears it.
        one.Type("exit");
        await one.WaitForLineAsync("the goodbye", l => l == "You left the chat.");
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 1's exit code after 'exit'. {one.Transcript}");
        await two.WaitForLineAsync("client 1's leave notice", Notice(1, "has left the chat").IsMatch);
        Assert.That(two.Lines.Any(Line(1, "exit").IsMatch), Is.False,
            $"'exit' is a command, not a line for the room. {two.Transcript}");

        // The end of input (Ctrl+D at a terminal, a closed pipe here) leaves as well.
        two.CloseInput();
        await two.WaitForLineAsync("the goodbye", l => l == "You left the chat.");
        Assert.That(await two.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 2's exit code after the end of input. {two.Transcript}");
    }

    [Test]
    public async Task A_member_who_joins_later_sees_only_what_is_said_after_it_joined()
    {
        var (_, port) = await StartServerAsync();
        var one = Start("client 1", "client", "--port", port, "--name", Name(1));
        await one.WaitForLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);
        one.Type("anyone here?");
        await one.WaitForLineAsync("its own line", Line(1, "anyone here?").IsMatch);

        var two = Start("client 2", "client", "--port", port, "--name", Name(2));
        await two.WaitForLineAsync("its own join notice", Notice(2, "has joined the chat").IsMatch);
        two.Type("I am");
        await one.WaitForLineAsync("client 2's line", Line(2, "I am").IsMatch);
        await two.WaitForLineAsync("its own line", Line(2, "I am").IsMatch);
        Assert.That(two.Lines.Any(Line(1, "anyone here?").IsMatch), Is.False,
            $"A chat room has no history: client 2 joined after the line. {two.Transcript}");
        Assert.That(two.Lines.Any(Notice(1, "has joined the chat").IsMatch), Is.False,
            $"Client 2 joined after client 1's join notice. {two.Transcript}");

        two.CloseInput();
        await one.WaitForLineAsync("client 2's leave notice", Notice(2, "has left the chat").IsMatch);
        Assert.That(await two.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 2's exit code. {two.Transcript}");
        one.CloseInput();
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 1's exit code. {one.Transcript}");
    }

    [Test]
    public async Task A_member_whose_server_stops_is_not_left_waiting_for_input()
    {
        var (server, port) = await StartServerAsync();
        var one = Start("client 1", "client", "--port", port, "--name", Name(1));
        await one.WaitForLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);

        // stdin stays open: the client must notice the lost call by itself, not at the next line typed.
        server.Kill();
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(1),
            $"The client should end with exit code 1 when its server goes away. {one.Transcript}");
        Assert.That(one.ErrorText, Is.Not.Empty, $"The client should say why it ended. {one.Transcript}");
    }

    /// <summary>The name client N asks for with --name; the room takes it with the member's first line.</summary>
    private static string Name(int member) => member == 1 ? "ann" : "ben";

    /// <summary>"[14:30:10] ann: hello": a member's line as the client prints it, under the name it chose.</summary>
    private static Regex Line(int member, string text) =>
        new($@"^\[\d{{2}}:\d{{2}}:\d{{2}}\] {Name(member)}: {Regex.Escape(text)}$");

    /// <summary>
    /// "[14:30:00] Client(1) has joined the chat": a notice as the client prints it. A member joins
    /// under its number; once it has spoken (every member here does before it leaves) it has its name.
    /// </summary>
    private static Regex Notice(int member, string text) =>
        new($@"^\[\d{{2}}:\d{{2}}:\d{{2}}\] {(text.Contains("joined", StringComparison.Ordinal) ? Regex.Escape($"Client({member})") : Name(member))} {Regex.Escape(text)}$");

    /// <summary>Starts the server on a free port and waits until it listens; retries if another program takes the port first.</summary>
    private async Task<(ChatProcess Server, string Port)> StartServerAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort().ToString(CultureInfo.InvariantCulture);
            var server = Start("server", "server", "--port", port);
            var ready = await server.WaitForAsync(l => l.Contains("server listening on", StringComparison.Ordinal), StepTimeout);
            if (ready)
            {
                return (server, port);
            }
            if (attempt == 3 || !server.ErrorText.Contains("is in use", StringComparison.Ordinal))
            {
                Assert.Fail($"The chat server did not start listening within {StepTimeout.TotalSeconds:0} s. {server.Transcript}");
            }
            started.Remove(server);
            server.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private ChatProcess Start(string name, params string[] arguments)
    {
        var process = ChatProcess.Start(name, ChapterProgram.Path, arguments);
        started.Add(process);
        return process;
    }
}

/// <summary>Where the built chapter 5 program is: solutions/05-bidirectional-chat/bin/&lt;configuration&gt;/&lt;tfm&gt;/.</summary>
internal static class ChapterProgram
{
    private static readonly Lazy<string> Found = new(Find);

    public static string Path => Found.Value;

    private static string Find()
    {
        // This assembly is in tests/Interop/Interop.Tests/bin/<configuration>/<tfm>/; the program,
        // a project reference, was built with the same configuration and framework.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StreamingTutorial.sln")))
            {
                var program = System.IO.Path.Combine(dir.FullName, "solutions", "05-bidirectional-chat", "bin", configuration, framework, "Chapter05.ChatRoom.dll");
                return File.Exists(program)
                    ? program
                    : throw new FileNotFoundException($"{program} is missing: build solutions/05-bidirectional-chat (it is a project reference of this test project).", program);
            }
        }
        throw new DirectoryNotFoundException($"StreamingTutorial.sln not found above {output.FullName}.");
    }
}

/// <summary>
/// One run of the chapter 5 program with a pipe for stdin and every line it prints kept, so a
/// test can type into it and wait (bounded) for what it prints. Dispose kills it if it still runs.
/// </summary>
internal sealed class ChatProcess : IDisposable
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly StringBuilder errors = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
    }

    public string Name { get; }

    /// <summary>What the program has printed to stdout so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public string ErrorText
    {
        get
        {
            lock (lines)
            {
                return errors.ToString();
            }
        }
    }

    /// <summary>Everything printed so far, for failure messages.</summary>
    public string Transcript => $"{Name} printed: [{string.Join(" | ", Lines)}]; stderr: {ProcessResult.Tail(ErrorText)}";

    public static ChatProcess Start(string name, string program, string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var info = ProcessRunner.StartInfo(dotnet, [program, .. arguments], System.IO.Path.GetDirectoryName(program)!);
        var chat = new ChatProcess(name, new Process { StartInfo = info });
        chat.process.OutputDataReceived += (_, e) => chat.Append(e.Data, error: false);
        chat.process.ErrorDataReceived += (_, e) => chat.Append(e.Data, error: true);
        chat.process.Start();
        chat.process.BeginOutputReadLine();
        chat.process.BeginErrorReadLine();
        return chat;
    }

    /// <summary>Types a line and presses Enter.</summary>
    public void Type(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    /// <summary>Closes stdin: the end of input, what Ctrl+D is at a terminal.</summary>
    public void CloseInput() => process.StandardInput.Close();

    /// <summary>Waits for a line that matches, printed at any time since the start; fails the test after 20 s.</summary>
    public async Task WaitForLineAsync(string what, Func<string, bool> match)
    {
        if (!await WaitForAsync(match, WaitTimeout))
        {
            Assert.Fail($"{Name} did not print {what} within {WaitTimeout.TotalSeconds:0} s{(HasExited ? $" (it exited with {process.ExitCode})" : "")}. {Transcript}");
        }
    }

    /// <summary>True as soon as a matching line has been printed; false after the timeout or when the program has ended without one.</summary>
    public async Task<bool> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (lines)
            {
                if (lines.Any(match))
                {
                    return true;
                }
                if (changed.Task.IsCompleted)
                {
                    return false; // stdout has closed: no more lines will come
                }
                next = changed.Task;
            }
            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>The exit code, or null if the program is still running after the timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    private void Append(string? line, bool error)
    {
        lock (lines)
        {
            if (error)
            {
                if (line is not null)
                {
                    errors.AppendLine(line);
                }
                return;
            }
            if (line is null)
            {
                changed.TrySetResult(); // end of stdout: leave it completed so waiters stop
                return;
            }
            lines.Add(line);
            changed.TrySetResult();
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Ends the program at once, as a crash or a pulled plug would.</summary>
    public void Kill() => ProcessRunner.Kill(process);

    public void Dispose()
    {
        ProcessRunner.Kill(process);
        process.Dispose();
    }
}
