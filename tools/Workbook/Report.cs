using Spectre.Console;

namespace StreamingTutorial.Workbook;

/// <summary>Prints graded chapters: a table per chapter, a progress bar over every exercise, and the next thing to do.</summary>
public static class Report
{
    public static void Show(string root, IReadOnlyList<ChapterResult> results, IReadOnlyList<ChapterResult>? progressOver = null)
    {
        foreach (var result in results)
        {
            Chapter(result);
        }
        var all = progressOver ?? results;
        Progress(all);
        Next(root, NextStep.From(all));
    }

    public static void Chapter(ChapterResult result)
    {
        var chapter = result.Chapter;
        AnsiConsole.Write(new Rule($"[bold]Chapter {chapter.Number}: {Markup.Escape(chapter.Title)}[/]").LeftJustified());
        if (!result.Builds)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(WorkbookPaths.Relative.ChapterFolder(chapter))} {Markup.Escape(result.Problem)}:[/]");
            foreach (var error in result.BuildErrors)
            {
                AnsiConsole.MarkupLine($"  [red]{Markup.Escape(error)}[/]");
            }
            return;
        }
        var table = new Table().Border(TableBorder.Minimal).AddColumns("Exercise", "Method", "File", "State");
        foreach (var exercise in result.Exercises)
        {
            table.AddRow(exercise.Exercise.Id, Markup.Escape(exercise.Exercise.Name), Markup.Escape(exercise.Exercise.File), State(exercise.State));
        }
        AnsiConsole.Write(table);
    }

    public static void Progress(IReadOnlyList<ChapterResult> results)
    {
        var total = results.Sum(r => r.Chapter.Exercises.Count);
        var exercises = results.SelectMany(r => r.Exercises).ToList();
        var done = exercises.Count(e => e.State == ExerciseState.Done);
        var failing = exercises.Count(e => e.State == ExerciseState.Failing);
        AnsiConsole.Write(new BreakdownChart().Width(60)
            .AddItem("done", done, Color.Green)
            .AddItem("failing", failing, Color.Red)
            .AddItem("not started", total - done - failing, Color.Grey));
        AnsiConsole.MarkupLine($"[bold]{done} of {total} exercises done.[/]");
    }

    /// <param name="watching">True in watch, which grades on every save already: it does not suggest itself.</param>
    public static void Next(string root, NextStep step, bool watching = false)
    {
        switch (step.Kind)
        {
            case NextStepKind.FixBuild:
                AnsiConsole.MarkupLine($"[yellow]Next:[/] fix {Markup.Escape(WorkbookPaths.Relative.ChapterFolder(step.Chapter!))} (see above); nothing in it can be graded until then.");
                break;
            case NextStepKind.FixFailing:
                var failing = step.Exercise!;
                AnsiConsole.MarkupLine($"[yellow]Next:[/] exercise {failing.Exercise.Id} ({Markup.Escape(failing.Exercise.Name)}) fails, in {Markup.Escape(NextStep.TodoLocation(root, failing.Chapter, failing.Exercise))}:");
                AnsiConsole.WriteLine(failing.Message ?? "(no message)");
                AnsiConsole.MarkupLine($"[grey]Stuck? {Markup.Escape(WorkbookFolder.Command)} hint {failing.Exercise.Id}[/]");
                break;
            case NextStepKind.Start:
                var next = step.Exercise!;
                AnsiConsole.MarkupLine($"[yellow]Next:[/] chapter {next.Chapter.Number}, exercise {next.Exercise.Id} ({Markup.Escape(next.Exercise.Name)}): open {Markup.Escape(NextStep.TodoLocation(root, next.Chapter, next.Exercise))} and replace the \"{next.Exercise.Todo}\" throw with your code.");
                AnsiConsole.MarkupLine(watching
                    ? $"[grey]A hint: {Markup.Escape(WorkbookFolder.Command)} hint {next.Exercise.Id}[/]"
                    : $"[grey]Grade on every save: {Markup.Escape(WorkbookFolder.Command)} watch    A hint: {Markup.Escape(WorkbookFolder.Command)} hint {next.Exercise.Id}[/]");
                break;
            case NextStepKind.AllDone:
                AnsiConsole.MarkupLine("[green]Every exercise is done. Well done![/]");
                break;
            default:
                AnsiConsole.MarkupLine("[yellow]Nothing was graded.[/]");
                break;
        }
    }

    public static string State(ExerciseState state) => state switch
    {
        ExerciseState.Done => "[green]done[/]",
        ExerciseState.Failing => "[red]failing[/]",
        _ => "[grey]not started[/]",
    };
}
