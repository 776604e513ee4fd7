using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>solution N: prints the reference solution of the chapter's exercise files, once the chapter is done (or with --force).</summary>
public sealed class SolutionCommand(Lazy<WorkbookFolder> folder) : ChapterCommand<SolutionCommand.Settings>(folder)
{
    public sealed class Settings : ChapterSettings
    {
        [CommandOption("--force")]
        [Description("show it now, even if the chapter is not done")]
        public bool Force { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var workbook = Workbook;
        var force = settings.Force;
        var chapter = workbook.ParseChapter(settings.Chapter);
        var solution = workbook.SolutionFolder(chapter);
        if (!Directory.Exists(solution))
        {
            throw new UsageException($"Chapter {chapter.Number} has no solution in solutions/{chapter.Folder}.");
        }

        if (!force)
        {
            ChapterResult? result = null;
            await AnsiConsole.Status().StartAsync($"Grading chapter {chapter.Number} first: its solution is shown once it is done...",
                async _ => result = await new Grader(workbook.Root).GradeAsync(chapter));
            var state = WorkbookState.Load(workbook.StateFolder);
            state.Record(result!);
            state.Save(workbook.StateFolder);
            var done = result!.Exercises.Count(e => e.State == ExerciseState.Done);
            if (!result.Builds || done < chapter.Exercises.Count)
            {
                AnsiConsole.MarkupLine(result.Builds
                    ? $"Chapter {chapter.Number} is not done yet: {done} of {chapter.Exercises.Count} exercises pass."
                    : $"Chapter {chapter.Number} {result.Problem}.");
                AnsiConsole.MarkupLine($"Finish it first, with the hints ({Markup.Escape(WorkbookFolder.Command)} hint {chapter.Number}), or see the solution anyway: {Markup.Escape(WorkbookFolder.Command)} solution {chapter.Number} --force");
                return 1;
            }
            AnsiConsole.MarkupLine($"[green]Chapter {chapter.Number} is done.[/] Here is the reference solution, to compare with yours:");
        }

        foreach (var file in chapter.Exercises.Select(e => e.File).Distinct())
        {
            var path = Path.Combine(solution, file);
            AnsiConsole.Write(new Rule($"[bold]solutions/{Markup.Escape(chapter.Folder)}/{Markup.Escape(file)}[/]").LeftJustified());
            // Plain text, so it copies as it is.
            Console.WriteLine(File.Exists(path) ? await File.ReadAllTextAsync(path) : "(missing)");
        }
        return 0;
    }
}
