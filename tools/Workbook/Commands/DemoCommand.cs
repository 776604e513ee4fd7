using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>
/// demo N: builds the chapter's program and runs its server and its scripted demo in one
/// terminal, as two terminals would (the chapter's <c>server</c> and <c>demo</c> modes). It runs
/// the learner's chapter, or the reference solution with --solution. What the demo does is the
/// chapter's own business: this command knows no chapter.
/// </summary>
public sealed class DemoCommand(Lazy<WorkbookFolder> folder) : ChapterCommand<DemoCommand.Settings>(folder)
{
    public sealed class Settings : ChapterSettings
    {
        [CommandOption("--solution")]
        [Description("run the reference solution instead of your code")]
        public bool Solution { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("the server's port; 0 or none: any free port")]
        public int Port { get; init; }

        [CommandOption("--wire")]
        [Description("show every call as it crosses the wire, the server's view and the client's")]
        public bool Wire { get; init; }

        [CommandOption("--metrics")]
        [Description("show the server's gRPC counters")]
        public bool Metrics { get; init; }

        public override ValidationResult Validate() =>
            Port is >= 0 and <= 65535 ? ValidationResult.Success() : ValidationResult.Error($"--port needs a number from 0 to 65535, not '{Port}'.");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var workbook = Workbook;
        var chapter = workbook.ParseChapter(settings.Chapter);
        var paths = new WorkbookPaths(workbook.Root);
        var project = settings.Solution ? paths.SolutionProject(chapter) : paths.ChapterProject(chapter);
        var shown = settings.Solution ? WorkbookPaths.Relative.SolutionFolder(chapter) : WorkbookPaths.Relative.ChapterFolder(chapter);
        if (!File.Exists(project))
        {
            throw new UsageException($"{shown}/{chapter.Project} does not exist, so chapter {chapter.Number} has no demo yet.");
        }
        if (settings.Port > 0 && !IsFree(settings.Port))
        {
            throw new UsageException($"Port {settings.Port} is in use. Stop the program that uses it (maybe another demo server), or pick another port: --port <n>.");
        }

        if (!settings.Solution)
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
            build = await Processes.RunAsync("dotnet", ["build", project, "--nologo", "-v", "q", "-clp:NoSummary"], workbook.Root, cancellationToken));
        if (build!.ExitCode != 0)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(shown)} does not build:[/]");
            foreach (var error in BuildErrors.FromMsBuildOutput(build.AllOutput, workbook.Root).Take(BuildErrors.MaxShown).DefaultIfEmpty(build.AllOutput.Trim()))
            {
                AnsiConsole.MarkupLine($"  [red]{Markup.Escape(error)}[/]");
            }
            return 1;
        }

        var serverFolder = Path.Combine(workbook.StateFolder, "demo", chapter.Folder);
        Directory.CreateDirectory(serverFolder);
        var runner = new DemoRunner(AnsiConsole.Console, $"dotnet run --project {shown}",
            // dotnet run starts the program in the project's folder unless told otherwise.
            (mode, arguments, folder) => ("dotnet", ["run", "--no-build", "--project", project, $"-p:RunWorkingDirectory={folder}", "--", mode, .. arguments]));
        return await runner.RunAsync(new DemoRequest(
            settings.Port, settings.Wire, settings.Metrics, context.Remaining.Raw, chapter.Demo?.StayOpen,
            serverFolder, BuildErrors.Relative(workbook.Root, serverFolder)),
            Console.IsInputRedirected ? null : WaitForEnterAsync);
    }

    /// <summary>Until the learner presses Enter, or Ctrl+C (which stops the server anyway).</summary>
    private static async Task WaitForEnterAsync()
    {
        var done = new TaskCompletionSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            done.TrySetResult();
        });
        _ = Task.Run(() =>
        {
            Console.ReadLine();
            done.TrySetResult();
        });
        await done.Task;
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
}
