using Spectre.Console;
using StreamingTutorial.Workbook;

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

return await new CommandLine(AnsiConsole.Console, () => new WorkbookFolder(WorkbookFolder.FindRoot())).RunAsync(args);
