using Spectre.Console;

namespace StreamingTutorial.Workbook;

/// <summary>Prints graded chapters: a table per chapter, a progress bar, and the next thing to do.</summary>
public static class Report
{
    public static void Show(IReadOnlyList<ChapterResult> results)
    {
        foreach (var result in results)
        {
            var chapter = result.Chapter;
            AnsiConsole.Write(new Rule($"[bold]Chapter {chapter.Number}: {Markup.Escape(chapter.Title)}[/]").LeftJustified());
            if (result.BuildErrors.Count > 0)
            {
                AnsiConsole.MarkupLine($"[red]chapters/{chapter.Folder} does not build:[/]");
                foreach (var error in result.BuildErrors)
                {
                    AnsiConsole.MarkupLine($"  [red]{Markup.Escape(error)}[/]");
                }
                continue;
            }
            var table = new Table().Border(TableBorder.Minimal).AddColumns("Exercise", "Method", "File", "State");
            foreach (var exercise in result.Exercises)
            {
                table.AddRow(exercise.Exercise.Id, exercise.Exercise.Name, exercise.Exercise.File, State(exercise.State));
            }
            AnsiConsole.Write(table);
        }

        var all = results.SelectMany(r => r.Exercises).ToList();
        var total = results.Sum(r => r.Chapter.Exercises.Count);
        var done = all.Count(e => e.State == ExerciseState.Done);
        AnsiConsole.Write(new BreakdownChart().Width(60)
            .AddItem("done", done, Color.Green)
            .AddItem("to do", total - done, Color.Grey));
        AnsiConsole.MarkupLine($"[bold]{done} of {total} exercises done.[/]");

        var broken = results.FirstOrDefault(r => r.BuildErrors.Count > 0);
        var failing = all.FirstOrDefault(e => e.State == ExerciseState.Failing);
        var next = all.FirstOrDefault(e => e.State == ExerciseState.NotStarted);
        if (broken is not null)
        {
            AnsiConsole.MarkupLine($"[yellow]Next:[/] fix the build of chapters/{broken.Chapter.Folder} (errors above).");
        }
        else if (failing is not null)
        {
            AnsiConsole.MarkupLine($"[yellow]Next:[/] exercise {failing.Exercise.Id} ({failing.Exercise.Name}) fails:");
            AnsiConsole.WriteLine(failing.Message ?? "(no message)");
        }
        else if (next is not null)
        {
            AnsiConsole.MarkupLine($"[yellow]Next:[/] exercise {next.Exercise.Id} ({next.Exercise.Name}): open chapters/{next.Chapter.Folder}/{next.Exercise.File} and look for \"{next.Exercise.Todo}\".");
        }
        else if (total > 0)
        {
            AnsiConsole.MarkupLine("[green]Every exercise is done. Well done![/]");
        }
    }

    private static string State(ExerciseState state) => state switch
    {
        ExerciseState.Done => "[green]done[/]",
        ExerciseState.Failing => "[red]failing[/]",
        _ => "[grey]not started[/]",
    };
}
