using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>For teachers: grades the reference solutions exactly as a learner's work is graded, in a temporary copy.</summary>
public sealed class VerifyCommand(Lazy<WorkbookFolder> folder) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var workbook = folder.Value;
        var copy = Path.Combine(Path.GetTempPath(), "workbook-verify-" + Guid.NewGuid().ToString("N"));
        try
        {
            AnsiConsole.MarkupLine($"Copying the workbook to {Markup.Escape(copy)} and putting the solutions in place of the starters...");
            SolutionCopy.Create(workbook.Root, copy, workbook.Catalog);
            var results = await new Grader(copy).GradeAllAsync(workbook.Catalog.Chapters, status => AnsiConsole.WriteLine(status));
            Report.Show(copy, results);
            var all = results.SelectMany(r => r.Exercises).ToList();
            var ok = results.All(r => r.Builds) && all.Count > 0 && all.All(e => e.State == ExerciseState.Done);
            AnsiConsole.MarkupLine(ok ? "[green]Every solution passes its graders.[/]" : "[red]Some solutions do not pass their graders.[/]");
            return ok ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }
}
