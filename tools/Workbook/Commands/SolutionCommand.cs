using Spectre.Console;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>solution N: prints the reference solution of the chapter's exercise files, once the chapter is done (or with --force).</summary>
public static class SolutionCommand
{
    public static async Task<int> RunAsync(WorkbookFolder workbook, CommandLine line)
    {
        var force = line.Has("force");
        line.EnsureAllUsed(maxPositional: 1);
        if (line.Positional.Count == 0)
        {
            throw new UsageException($"Which chapter? {WorkbookFolder.Command} solution N (chapters are {workbook.ChapterRange()}).");
        }
        var chapter = workbook.ParseChapter(line.Positional[0]);
        var folder = workbook.SolutionFolder(chapter);
        if (!Directory.Exists(folder))
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
            var path = Path.Combine(folder, file);
            AnsiConsole.Write(new Rule($"[bold]solutions/{Markup.Escape(chapter.Folder)}/{Markup.Escape(file)}[/]").LeftJustified());
            // Plain text, so it copies as it is.
            Console.WriteLine(File.Exists(path) ? await File.ReadAllTextAsync(path) : "(missing)");
        }
        return 0;
    }
}
