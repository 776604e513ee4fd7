using Spectre.Console;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>The default command: builds and grades every chapter with dotnet test, then shows progress and the next step.</summary>
public static class ProgressCommand
{
    public static async Task<int> RunAsync(WorkbookFolder workbook, CommandLine line)
    {
        line.EnsureAllUsed(maxPositional: 0);
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
