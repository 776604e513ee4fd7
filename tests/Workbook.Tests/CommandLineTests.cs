using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Spectre.Console;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>The tool's command line (Spectre.Console.Cli): help and mistakes, without running any command.</summary>
[TestFixture]
public class CommandLineTests
{
    private static readonly string[] Commands = ["progress", "watch", "hint", "demo", "reset", "solution", "verify", "help"];

    /// <summary>Runs the command line as the tool does, its output captured as plain text.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => RunAsync(200, args);

    private static async Task<(int ExitCode, string Output)> RunAsync(int width, params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        var exitCode = await new CommandLine(console, () => TestRepository.Workbook).RunAsync(args);
        return (exitCode, output.ToString());
    }

    [TestCase("help")]
    [TestCase("--help")]
    [TestCase("-h")]
    public async Task Help_lists_every_command(string help)
    {
        var (exitCode, output) = await RunAsync(help);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain($"USAGE:{Environment.NewLine}    {WorkbookFolder.Command} [OPTIONS] [COMMAND]"), "The library's help, with the command a learner types.");
        foreach (var command in Commands)
        {
            Assert.That(output, Does.Match($@"(?m)^    {command}\b"), $"help should list '{command}'.");
        }
        Assert.That(output, Does.Not.Contain("grade-worker"), "The worker watch starts is not for people.");
    }

    [Test]
    public async Task A_commands_help_comes_from_the_library()
    {
        var (exitCode, output) = await RunAsync("demo", "--help");
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain($"{WorkbookFolder.Command} demo <CHAPTER> [OPTIONS]"));
        Assert.That(output, Does.Contain("--solution").And.Contain("--port <PORT>").And.Contain("--wire").And.Contain("--metrics"));
        Assert.That(output[output.IndexOf("OPTIONS:", StringComparison.Ordinal)..], Does.Not.Contain("--file"), "--file is chapter 3's own option, passed after --.");
        Assert.That((await RunAsync("help", "demo")).Output, Is.EqualTo(output), "help demo is demo --help.");
    }

    [TestCase("demo 1 --prot 5", "Unknown option 'prot'")]
    [TestCase("reset 1 --yse", "Unknown option 'yse'")]
    [TestCase("hint 1 2", "Could not match '2' with an argument")]
    [TestCase("frobnicate", "Unknown command 'frobnicate'")]
    [TestCase("demo 1 --port fifty", "Failed to convert 'fifty'")]
    [TestCase("solution", "missing required argument 'CHAPTER'")]
    [TestCase("hint 1 -- more", "'hint' takes no arguments after --: more")]
    public async Task A_mistake_in_the_command_line_exits_2_with_a_message(string line, string message)
    {
        var (exitCode, output) = await RunAsync(line.Split(' '));
        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(message));
        Assert.That(output, Does.Not.Contain("   at "), "A message, not a stack trace.");
    }

    [TestCase("demo 9", "There is no chapter 9; chapters are 1-5.")]
    [TestCase("reset one", "'one' is not a chapter number; chapters are 1-5.")]
    [TestCase("watch 0", "There is no chapter 0; chapters are 1-5.")]
    [TestCase("hint 1.9", "There is no exercise 1.9; chapter 1 has exercises 1.1 to 1.T.")]
    [TestCase("demo 1 --port 70000", "--port needs a number from 0 to 65535, not '70000'.")]
    public async Task A_chapter_exercise_or_port_that_does_not_exist_is_refused_before_the_command_runs(string line, string message)
    {
        var (exitCode, output) = await RunAsync(line.Split(' '));
        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(message));
    }

    [Test]
    public async Task Demo_takes_the_chapters_own_options_after_the_separator()
    {
        // Parsing gets past "--file" (after --) and stops at the port, which is checked before anything runs.
        var (exitCode, output) = await RunAsync("demo", "3", "--port", "70000", "--", "--file", "photo.jpg");
        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("--port needs a number").And.Not.Contain("file"));
    }

    [Test]
    public async Task A_port_in_use_is_refused_before_anything_is_built()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var (exitCode, output) = await RunAsync("demo", "1", "--port", port);
        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.StartWith($"Port {port} is in use.").And.Not.Contain("Building"));
    }

    [Test]
    public async Task The_help_quoted_in_tools_README_is_the_help_of_today()
    {
        // Into a pipe the help is 80 columns wide, as quoted.
        var (_, help) = await RunAsync(80, "help");
        var readme = await File.ReadAllTextAsync(Path.Combine(TestRepository.Root, "tools", "README.md"));
        static string Plain(string text) => string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())).Trim();
        Assert.That(readme.ReplaceLineEndings("\n"), Does.Contain("```\n" + Plain(help) + "\n```"),
            "Copy the output of 'dotnet run --project tools/Workbook -- help > help.txt' into tools/README.md's commands section.");
    }

    [Test]
    public async Task The_tool_itself_exits_2_on_a_typo_with_plain_text()
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "workbook.dll");
        var result = await Processes.RunAsync("dotnet", ["exec", tool, "demo", "1", "--prot", "5"], TestRepository.Root);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.AllOutput);
        Assert.That(result.AllOutput, Does.Contain("Unknown option 'prot'").And.Not.Contain("   at ").And.Not.Contain("\u001b["),
            "Into a pipe: the message in plain text, no colour codes, no stack trace.");
    }
}
