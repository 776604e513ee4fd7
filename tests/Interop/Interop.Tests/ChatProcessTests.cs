using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Interop.Tests;

/// <summary>
/// The chapter 5 program as a person uses it: one server process and two client processes
/// (the built solutions/05 program, Chapter05.ChatRoom.dll), lines typed into the clients'
/// stdin, and what each client prints checked line by line. Needs no peer.
/// </summary>
[TestFixture]
[Category("Demo")]
[NonParallelizable]
public sealed class ChildProcessTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private readonly List<ChildProcess> started = [];

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
        await one.ExpectLineAsync("the welcome", l => l.StartsWith("Joined the chat.", StringComparison.Ordinal));
        await one.ExpectLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);
        var two = Start("client 2", "client", "--port", port, "--name", Name(2));
        await two.ExpectLineAsync("its own join notice", Notice(2, "has joined the chat").IsMatch);
        await one.ExpectLineAsync("client 2's join notice", Notice(2, "has joined the chat").IsMatch);

        one.Type("hello");
        await two.ExpectLineAsync("client 1's line", Line(1, "hello").IsMatch);
        await one.ExpectLineAsync("its own line, sent back by the room", Line(1, "hello").IsMatch);
        two.Type("hi there, one");
        await one.ExpectLineAsync("client 2's line", Line(2, "hi there, one").IsMatch);

        // "exit" leaves: the client says so and ends with 0; the other member hears it.
        one.Type("exit");
        await one.ExpectLineAsync("the goodbye", l => l == "You left the chat.");
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 1's exit code after 'exit'. {one.Transcript}");
        await two.ExpectLineAsync("client 1's leave notice", Notice(1, "has left the chat").IsMatch);
        Assert.That(two.OutputLines.Any(Line(1, "exit").IsMatch), Is.False,
            $"'exit' is a command, not a line for the room. {two.Transcript}");

        // The end of input (Ctrl+D at a terminal, a closed pipe here) leaves as well.
        two.CloseInput();
        await two.ExpectLineAsync("the goodbye", l => l == "You left the chat.");
        Assert.That(await two.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 2's exit code after the end of input. {two.Transcript}");
    }

    [Test]
    public async Task A_member_who_joins_later_sees_only_what_is_said_after_it_joined()
    {
        var (_, port) = await StartServerAsync();
        var one = Start("client 1", "client", "--port", port, "--name", Name(1));
        await one.ExpectLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);
        one.Type("anyone here?");
        await one.ExpectLineAsync("its own line", Line(1, "anyone here?").IsMatch);

        var two = Start("client 2", "client", "--port", port, "--name", Name(2));
        await two.ExpectLineAsync("its own join notice", Notice(2, "has joined the chat").IsMatch);
        two.Type("I am");
        await one.ExpectLineAsync("client 2's line", Line(2, "I am").IsMatch);
        await two.ExpectLineAsync("its own line", Line(2, "I am").IsMatch);
        Assert.That(two.OutputLines.Any(Line(1, "anyone here?").IsMatch), Is.False,
            $"A chat room has no history: client 2 joined after the line. {two.Transcript}");
        Assert.That(two.OutputLines.Any(Notice(1, "has joined the chat").IsMatch), Is.False,
            $"Client 2 joined after client 1's join notice. {two.Transcript}");

        two.CloseInput();
        await one.ExpectLineAsync("client 2's leave notice", Notice(2, "has left the chat").IsMatch);
        Assert.That(await two.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 2's exit code. {two.Transcript}");
        one.CloseInput();
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(0), $"client 1's exit code. {one.Transcript}");
    }

    [Test]
    public async Task A_member_whose_server_stops_is_not_left_waiting_for_input()
    {
        var (server, port) = await StartServerAsync();
        var one = Start("client 1", "client", "--port", port, "--name", Name(1));
        await one.ExpectLineAsync("its own join notice", Notice(1, "has joined the chat").IsMatch);

        // stdin stays open: the client must notice the lost call by itself, not at the next line typed.
        server.Kill();
        Assert.That(await one.WaitForExitAsync(StepTimeout), Is.EqualTo(1),
            $"The client should end with exit code 1 when its server goes away. {one.Transcript}");
        Assert.That(one.Errors, Is.Not.Empty, $"The client should say why it ended. {one.Transcript}");
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
    private async Task<(ChildProcess Server, string Port)> StartServerAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = TestKit.Programs.FreePort().ToString(CultureInfo.InvariantCulture);
            var server = Start("server", "server", "--port", port);
            if (await server.WaitForLineAsync(l => l.Contains("server listening on", StringComparison.Ordinal)) is not null)
            {
                return (server, port);
            }
            if (attempt == 3 || !server.Errors.Contains("is in use", StringComparison.Ordinal))
            {
                Assert.Fail($"The chat server did not start listening within {StepTimeout.TotalSeconds:0} s. {server.Transcript}");
            }
            started.Remove(server);
            server.Dispose();
        }
    }

    /// <summary>The built chapter 5 program, with its lines waited on for at most <see cref="StepTimeout"/>.</summary>
    private ChildProcess Start(string name, params string[] arguments)
    {
        var process = ChildProcess.Start(TestKit.Programs.Dotnet(TestKit.Programs.BuiltSolution(5), arguments) with { Name = name, Patience = StepTimeout });
        started.Add(process);
        return process;
    }
}
