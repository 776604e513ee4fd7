using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Spectre.Console;
using StreamingTutorial.Workbook.Commands;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>
/// The demo contract, tool side, against tests/FakeChapter (a program with the contract's server
/// and demo modes): server first, the demo on the port the server names, the chapter's options
/// passed on, the server kept open or stopped.
/// </summary>
[TestFixture]
public partial class DemoRunnerTests
{
    private const string Command = "dotnet run --project chapters/99-fake";
    private static readonly string Fake = Path.Combine(AppContext.BaseDirectory, "FakeChapter.dll");

    private StringWriter output = null!;
    private TemporaryFolder folder = null!;

    [SetUp]
    public void SetUp()
    {
        output = new StringWriter();
        folder = new TemporaryFolder();
    }

    [TearDown]
    public void TearDown()
    {
        folder.Dispose();
        output.Dispose();
    }

    private string Record => Path.Combine(folder.Path, "demo-arguments.txt");

    private DemoRunner Runner(params string[] serverExtra) => Runner(TimeSpan.FromSeconds(60), serverExtra);

    private DemoRunner Runner(TimeSpan serverPatience, params string[] serverExtra)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(TextWriter.Synchronized(output)),
        });
        console.Profile.Width = 400;
        return new DemoRunner(console, Command, (mode, arguments, _) => ("dotnet", ["exec", Fake, mode, .. arguments, .. mode == "server" ? serverExtra : []]))
        {
            ServerPatience = serverPatience,
        };
    }

    private DemoRequest Request(string? stayOpen = null, params string[] extra) =>
        new(0, Wire: true, Metrics: true, ["--record", Record, .. extra], stayOpen, folder.Path, ".workbook/demo/99-fake");

    private int ServerPort()
    {
        var match = ListeningLine().Match(output.ToString());
        Assert.That(match.Success, Is.True, output.ToString());
        return int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Test]
    public async Task The_demo_runs_on_the_port_the_server_names_with_the_chapters_options_and_its_exit_code()
    {
        var exitCode = await Runner().RunAsync(Request(null, "--exit", "3", "--file", "a b.bin"), waitForEnter: null);

        var text = output.ToString();
        var port = ServerPort();
        Assert.That(exitCode, Is.EqualTo(3), text);
        Assert.That(File.ReadAllLines(Record), Is.EqualTo(new[] { Environment.CurrentDirectory, "demo", "--port", $"{port}", "--wire", "--record", Record, "--exit", "3", "--file", "a b.bin" }),
            "The demo runs in this folder, and gets the server's port, --wire, then the arguments given after --, as they are.");
        Assert.That(text, Does.Contain($"(the same as '{Command} -- server --port {port} --wire --metrics' in a terminal of its own; it keeps its files in .workbook/demo/99-fake)"));
        Assert.That(text, Does.Contain($"Demo: {Command} -- demo --port {port} --wire --record {Record} --exit 3 --file \"a b.bin\""));
        Assert.That(text, Does.Contain($"server | Fake: working in {folder.Path}"), "The server runs in its own folder.");
        Assert.That(text, Does.Contain("server | Fake: getting ready").And.Contain("server | Fake: a client connected"), "--wire and --metrics show what the server prints.");
        Assert.That(text, Does.EndWith("Server stopped." + Environment.NewLine));
        Assert.That(Accepts(port), Is.False, "The server is stopped once the demo is over.");
    }

    [Test]
    public async Task What_the_chapter_keeps_open_stays_open_until_Enter()
    {
        var port = 0;
        var acceptedWhileOpen = false;
        var exitCode = await Runner().RunAsync(Request("The room is still open: join it from other terminals (two or more!)"), () =>
        {
            port = ServerPort();
            acceptedWhileOpen = Accepts(port);
            return Task.CompletedTask;
        });

        Assert.That(exitCode, Is.Zero, output.ToString());
        Assert.That(acceptedWhileOpen, Is.True, "The server runs until Enter.");
        Assert.That(output.ToString(), Does.Contain($"The room is still open: join it from other terminals (two or more!){Environment.NewLine}  {Command} -- client --port {port}{Environment.NewLine}Press Enter here to close it."));
        Assert.That(Accepts(port), Is.False, "Enter stops the server.");
    }

    [TestCase(0, false, Description = "Nobody can press Enter (input redirected).")]
    [TestCase(130, true, Description = "The demo was stopped with Ctrl+C.")]
    public async Task Nothing_stays_open_when_nobody_can_close_it_or_the_demo_was_interrupted(int demoExitCode, bool canAnswer)
    {
        var asked = false;
        var exitCode = await Runner().RunAsync(Request("The room is still open.", "--exit", $"{demoExitCode}"), canAnswer ? () =>
        {
            asked = true;
            return Task.CompletedTask;
        } : null);

        Assert.That(exitCode, Is.EqualTo(demoExitCode), output.ToString());
        Assert.That(asked, Is.False);
        Assert.That(output.ToString(), Does.Not.Contain("The room is still open."));
    }

    [Test]
    public async Task A_server_that_does_not_start_is_reported_with_what_it_printed_and_no_demo_runs()
    {
        var exitCode = await Runner("--fail").RunAsync(Request(), waitForEnter: null);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(output.ToString(), Does.Contain("The server did not start:").And.Contain("Fake: starting").And.Contain("Fake: cannot start, on purpose."));
        Assert.That(File.Exists(Record), Is.False, "No demo without a server.");
    }

    [Test]
    public async Task A_server_that_never_says_it_listens_is_given_up_on()
    {
        var exitCode = await Runner(TimeSpan.FromSeconds(2), "--silent").RunAsync(Request(), waitForEnter: null);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(output.ToString(), Does.Contain("The server did not say it was listening within 2 seconds"));
        Assert.That(File.Exists(Record), Is.False, "No demo without a server.");
    }

    [GeneratedRegex(@"Server: Fake: server listening on http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
