using Spectre.Console;
using StreamingTutorial.Workbook;
using StreamingTutorial.Workbook.Commands;
using StreamingTutorial.Workbook.Watch;

if (args.Length > 0 && args[0] == "grade-worker")
{
    // The process watch starts to run grader tests (see GradingWorker); not for people.
    return await GradingWorker.RunAsync();
}

if (Console.IsOutputRedirected)
{
    // Into a file or a pipe: plain text, no colour codes (whatever the terminal type says).
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(Console.Out),
    });
}

try
{
    var line = CommandLine.Parse(args, "port", "file");
    if (line.Has("help") || line.Command is "help")
    {
        return Help();
    }
    var workbook = new WorkbookFolder(WorkbookFolder.FindRoot());
    return line.Command switch
    {
        "progress" => await ProgressCommand.RunAsync(workbook, line),
        "hint" => HintCommand.Run(workbook, line),
        "watch" => await WatchCommand.RunAsync(workbook, line),
        "reset" => await ResetCommand.RunAsync(workbook, line),
        "solution" => await SolutionCommand.RunAsync(workbook, line),
        "demo" => await DemoCommand.RunAsync(workbook, line),
        "verify" => await VerifyCommand.RunAsync(workbook, line),
        _ => throw new UsageException($"Unknown command '{line.Command}'. Run '{WorkbookFolder.Command} help' for the list."),
    };
}
catch (UsageException ex)
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
    return 2;
}

static int Help()
{
    AnsiConsole.MarkupLine("[bold]StreamingTutorial workbook[/]: grades your chapters with the same graders as dotnet test.");
    AnsiConsole.MarkupLine($"Usage: [bold]{Markup.Escape(WorkbookFolder.Command)} <command>[/] (no command: grade every chapter)");
    AnsiConsole.WriteLine();
    var table = new Table().Border(TableBorder.None).HideHeaders().AddColumns("command", "what");
    table.AddRow("[bold](none)[/]", "grade every chapter: what is done, what fails, what to do next");
    table.AddRow("[bold]watch[/] [[N]]", "grade the chapter you are editing on every save (chapter N first)");
    table.AddRow("[bold]hint[/] [[N | N.k]]", "the next hint: for your next exercise, for chapter N's, or for exercise N.k");
    table.AddRow("[bold]demo[/] N [[--solution]] [[--port P]] [[--wire]] [[--metrics]]", "run chapter N's server and client (yours, or the reference solution); --wire traces every call on the wire, --metrics prints the server's gRPC counters");
    table.AddRow("[bold]reset[/] N [[--yes]]", "put chapter N back to its starter; your files are kept in .workbook/backups/");
    table.AddRow("[bold]solution[/] N [[--force]]", "show chapter N's solution once the chapter is done (or now, with --force)");
    table.AddRow("[bold]verify[/]", "(teachers) grade the solutions in a temporary copy of the workbook");
    AnsiConsole.Write(table);
    return 0;
}
