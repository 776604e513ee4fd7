using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>The default command: builds and grades every chapter with dotnet test, then shows progress and the next step.</summary>
public sealed class ProgressCommand(Lazy<WorkbookFolder> folder) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var workbook = folder.Value;
        // The first screen comes before any build: where you are (as last graded) and what to do,
        // so there is something to read while every chapter is built and graded.
        var before = WorkbookState.Load(workbook.StateFolder);
        var exercises = workbook.Catalog.Chapters.Sum(c => c.Exercises.Count);
        var graded = before.LastGrade.Count > 0;
        AnsiConsole.MarkupLine($"[bold]StreamingTutorial[/]: {workbook.Catalog.Chapters.Count} chapters, {exercises} exercises. " +
            (graded ? $"Last graded: {before.LastGrade.Values.Count(v => v == ExerciseState.Done)} done." : "Not graded yet: the first grading builds every chapter, which takes a minute or more."));
        Report.Next(workbook.Root, NextStep.From(workbook.Catalog, before));
        AnsiConsole.WriteLine();
        var grader = new Grader(workbook.Root);
        List<ChapterResult> results = [];
        await AnsiConsole.Status().StartAsync("Grading...", async context =>
            results = await grader.GradeAllAsync(workbook.Catalog.Chapters, status => context.Status(Markup.Escape(status))));

        var state = WorkbookState.Load(workbook.StateFolder);
        foreach (var result in results)
        {
            state.Record(result);
        }
        state.Save(workbook.StateFolder);

        Report.Show(workbook.Root, results);
        return results.Any(r => !r.Builds || r.Exercises.Any(e => e.State == ExerciseState.Failing)) ? 1 : 0;
    }
}
