using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using StreamingTutorial.Workbook.Commands;

namespace StreamingTutorial.Workbook;

/// <summary>
/// The tool's command line, on Spectre.Console.Cli: the commands, their help, and how a mistake
/// is reported (a clear message, exit code 2, never a stack trace).
/// </summary>
public sealed class CommandLine
{
    /// <summary>The exit code of a mistake in how the tool was called.</summary>
    public const int UsageError = 2;

    private readonly IAnsiConsole console;
    private readonly Lazy<WorkbookFolder> workbook;

    /// <param name="workbook">The workbook the commands work on; only found when a command needs it, so help works anywhere.</param>
    public CommandLine(IAnsiConsole console, Func<WorkbookFolder> workbook)
    {
        this.console = console;
        this.workbook = new Lazy<WorkbookFolder>(workbook);
    }

    public Task<int> RunAsync(IEnumerable<string> args) => Create().RunAsync(args);

    private CommandApp<ProgressCommand> Create()
    {
        var app = new CommandApp<ProgressCommand>();
        app.WithDescription("Grades your chapters with the same graders as dotnet test. No command: grade every chapter, then show what is done, what fails and what to do next.");
        app.Configure(config =>
        {
            config.SetApplicationName(WorkbookFolder.Command);
            config.SetApplicationCulture(CultureInfo.InvariantCulture);
            config.ConfigureConsole(console);
            // An option no command knows is an error, not an argument passed on.
            config.UseStrictParsing();
            // As before: "Hint 1.3" and "--YES" are understood.
            config.CaseSensitivity(CaseSensitivity.None);
            config.Settings.Registrar.RegisterInstance(workbook);
            config.Settings.Registrar.RegisterInstance(this);
            config.SetInterceptor(new NoExtraArguments());
            config.SetExceptionHandler((exception, _) => Report(exception));

            config.AddCommand<ProgressCommand>("progress")
                .WithDescription("grade every chapter: what is done, what fails, what to do next (the same as no command)");
            config.AddCommand<WatchCommand>("watch")
                .WithDescription("grade the chapter you are editing on every save, in about a second (CHAPTER first)")
                .WithExample("watch").WithExample("watch", "2");
            config.AddCommand<HintCommand>("hint")
                .WithDescription("the next hint: for your next exercise, for chapter N's first exercise not done, or for exercise N.k")
                .WithExample("hint").WithExample("hint", "1").WithExample("hint", "1.3");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("build and run CHAPTER's server and its scripted demo in this terminal: your code, or the reference solution; arguments after -- go to the demo")
                .WithExample("demo", "1").WithExample("demo", "3", "--solution", "--wire").WithExample("demo", "3", "--", "--file", "photo.jpg");
            config.AddCommand<ResetCommand>("reset")
                .WithDescription("put CHAPTER back to its starter; your files are kept in .workbook/backups/")
                .WithExample("reset", "2");
            config.AddCommand<SolutionCommand>("solution")
                .WithDescription("show CHAPTER's solution once it is done (or now, with --force)")
                .WithExample("solution", "1");
            config.AddCommand<VerifyCommand>("verify")
                .WithDescription("(teachers) grade the reference solutions in a temporary copy of the workbook");
            config.AddCommand<HelpCommand>("help")
                .WithDescription("this list, or a command's options: help demo");
            // The process watch starts to run grader tests (see GradingWorker); not for people.
            config.AddCommand<GradeWorkerCommand>("grade-worker").IsHidden();
        });
        return app;
    }

    /// <summary>A mistake in the command line or found by a command: its message, exit code 2. Anything else is a bug: shown whole.</summary>
    private int Report(Exception exception)
    {
        var usage = FindUsageException(exception);
        if (usage is not null)
        {
            console.MarkupLine($"[red]{Markup.Escape(usage.Message)}[/]");
            return UsageError;
        }
        if (exception is CommandAppException mistake)
        {
            // The library's own account: the message, and where in the command line it went wrong.
            if (mistake.Pretty is { } pretty)
            {
                console.Write(pretty);
            }
            else
            {
                console.MarkupLine($"[red]Error:[/] {Markup.Escape(mistake.Message)}");
            }
            console.MarkupLine($"[grey]Every command and its options: {Markup.Escape(WorkbookFolder.Command)} help[/]");
            return UsageError;
        }
        console.WriteException(exception);
        return 1;
    }

    /// <summary>A usage exception, also when it was thrown while the library was creating a command.</summary>
    private static UsageException? FindUsageException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is UsageException usage)
            {
                return usage;
            }
        }
        return null;
    }

    /// <summary>Only demo passes arguments on (after --); any other command refuses them rather than ignoring them.</summary>
    private sealed class NoExtraArguments : ICommandInterceptor
    {
        public void Intercept(CommandContext context, CommandSettings settings)
        {
            if (settings is not DemoCommand.Settings && context.Remaining.Raw.Count > 0)
            {
                throw new UsageException($"'{context.Name}' takes no arguments after --: {string.Join(' ', context.Remaining.Raw)}");
            }
        }
    }
}

/// <summary>help [COMMAND]: the library's help, as --help gives it.</summary>
public sealed class HelpCommand(CommandLine commandLine) : AsyncCommand<HelpCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[COMMAND]")]
        [System.ComponentModel.Description("the command to explain, for example demo")]
        public string? Command { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        commandLine.RunAsync(settings.Command is null ? ["--help"] : [settings.Command, "--help"]);
}

/// <summary>grade-worker: the process watch starts to run grader tests in (see GradingWorker).</summary>
public sealed class GradeWorkerCommand : AsyncCommand
{
    public override Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken) => Watch.GradingWorker.RunAsync();
}

/// <summary>A command about one chapter: the chapter is checked against the catalog before the command runs.</summary>
public abstract class ChapterCommand<TSettings>(Lazy<WorkbookFolder> folder) : AsyncCommand<TSettings>
    where TSettings : ChapterSettings
{
    protected WorkbookFolder Workbook => folder.Value;

    public override ValidationResult Validate(CommandContext context, TSettings settings) =>
        ChapterSettings.Check(() => folder.Value.ParseChapter(settings.Chapter));
}

/// <summary>The settings of a command about one chapter: its number.</summary>
public class ChapterSettings : CommandSettings
{
    [CommandArgument(0, "<CHAPTER>")]
    [System.ComponentModel.Description("the chapter's number: 1, or 01")]
    public required string Chapter { get; init; }

    public static ValidationResult Check(Action check)
    {
        try
        {
            check();
            return ValidationResult.Success();
        }
        catch (UsageException ex)
        {
            return ValidationResult.Error(ex.Message);
        }
    }
}
