using Spectre.Console;
using StreamingTutorial.Grading;
using StreamingTutorial.Workbook;

var root = FindRepositoryRoot();
var catalog = ChapterCatalog.Load(Path.Combine(root, "chapters", "chapters.json"));
var command = args.Length > 0 ? args[0].ToLowerInvariant() : "progress";

return command switch
{
    "progress" => await ShowProgressAsync(new Grader(root), catalog),
    "verify" => await VerifyAsync(root, catalog),
    "help" or "--help" or "-h" => Help(),
    _ => Unknown(command),
};

static int Help()
{
    AnsiConsole.MarkupLine("[bold]StreamingTutorial workbook[/]");
    AnsiConsole.MarkupLine("  dotnet run --project tools/Workbook            grade every chapter, show progress and the next step");
    AnsiConsole.MarkupLine("  dotnet run --project tools/Workbook -- verify  (teachers) grade the solutions in a temporary copy");
    return 0;
}

static int Unknown(string command)
{
    AnsiConsole.MarkupLine($"[red]Unknown command '{Markup.Escape(command)}'.[/]");
    Help();
    return 2;
}

static async Task<int> ShowProgressAsync(Grader grader, ChapterCatalog catalog)
{
    var results = new List<ChapterResult>();
    await AnsiConsole.Status().StartAsync("Grading...", async context =>
    {
        foreach (var chapter in catalog.Chapters)
        {
            context.Status($"Building and grading chapter {chapter.Number}: {chapter.Title}...");
            results.Add(await grader.GradeAsync(chapter));
        }
    });
    Report.Show(results);
    return results.Any(r => r.BuildErrors.Count > 0 || r.Exercises.Any(e => e.State == ExerciseState.Failing)) ? 1 : 0;
}

static async Task<int> VerifyAsync(string root, ChapterCatalog catalog)
{
    var copy = Path.Combine(Path.GetTempPath(), "workbook-verify-" + Guid.NewGuid().ToString("N"));
    try
    {
        AnsiConsole.MarkupLine($"Copying the workbook to {Markup.Escape(copy)} and putting the solutions in place of the starters...");
        SolutionCopy.Create(root, copy, catalog);
        var results = new List<ChapterResult>();
        var grader = new Grader(copy);
        foreach (var chapter in catalog.Chapters)
        {
            AnsiConsole.MarkupLine($"Grading the solution of chapter {chapter.Number}...");
            results.Add(await grader.GradeAsync(chapter));
        }
        Report.Show(results);
        var all = results.SelectMany(r => r.Exercises).ToList();
        var ok = results.All(r => r.BuildErrors.Count == 0) && all.Count > 0 && all.All(e => e.State == ExerciseState.Done);
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

static string FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamingTutorial.sln")))
            {
                return dir.FullName;
            }
        }
    }
    throw new DirectoryNotFoundException("Run the workbook from inside the StreamingTutorial folder.");
}
