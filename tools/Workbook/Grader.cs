using System.Text.Json;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Workbook;

/// <summary>
/// Grades chapters exactly as dotnet test does: runs the chapters' grader projects and reads
/// NUnit's own result XML, which the NUnit adapter writes beside its results on request. That XML
/// keeps each test's properties, among them the exercise it grades (a TRX file keeps none).
/// </summary>
public sealed partial class Grader(string repositoryRoot)
{
    /// <summary>Run settings (after dotnet test's "--") that make the NUnit adapter write NUnit's result XML into the results directory.</summary>
    private static readonly string[] NUnitXmlSettings = ["--", "NUnit.TestOutputXml=nunit", "NUnit.OutputXmlFolderMode=UseResultDirectory"];

    public string Root { get; } = repositoryRoot;

    private readonly WorkbookPaths paths = new(repositoryRoot);

    public bool HasGrader(Chapter chapter) => File.Exists(paths.GraderProject(chapter));

    /// <summary>
    /// Grades several chapters with one dotnet test of a solution filter holding their grader
    /// projects: one build and one test run instead of one per chapter, which is much faster.
    /// A chapter that does not compile does not stop the others.
    /// </summary>
    public async Task<List<ChapterResult>> GradeAllAsync(IReadOnlyList<Chapter> chapters, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var solution = File.ReadAllText(Path.Combine(Root, WorkbookPaths.SolutionFile)).Replace('\\', '/');
        var together = chapters.Where(c => HasGrader(c) && solution.Contains(WorkbookPaths.Relative.GraderProject(c), StringComparison.Ordinal)).ToList();
        var results = new Dictionary<int, ChapterResult>();
        if (together.Count > 0)
        {
            var filter = Path.Combine(Root, ".workbook", "graders.slnf");
            Directory.CreateDirectory(Path.GetDirectoryName(filter)!);
            await File.WriteAllTextAsync(filter, JsonSerializer.Serialize(new
            {
                solution = new { path = "../" + WorkbookPaths.SolutionFile, projects = together.Select(WorkbookPaths.Relative.GraderProject).ToArray() },
            }), cancellationToken);
            var directory = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
            try
            {
                progress?.Invoke($"Building and grading chapters {string.Join(", ", together.Select(c => c.Number))}...");
                var run = await Processes.RunAsync("dotnet", ["test", filter, "--nologo", "--results-directory", directory, .. NUnitXmlSettings],
                    Root, cancellationToken, line =>
                    {
                        if (SummaryLine().Match(line) is { Success: true } summary
                            && together.FirstOrDefault(c => WorkbookPaths.Relative.GraderName(c) == summary.Groups["assembly"].Value) is { } graded)
                        {
                            progress?.Invoke($"Graded chapter {graded.Number}; building and grading the others...");
                        }
                    });
                foreach (var outcomes in ReadResults(directory))
                {
                    if (Outcomes.ChapterOf(together, outcomes) is { } chapter)
                    {
                        results[chapter.Number] = new ChapterResult(chapter, Outcomes.ForChapter(chapter, outcomes), []);
                    }
                }
                var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, Root);
                bool InChapter(string error, Chapter chapter) =>
                    error.StartsWith(WorkbookPaths.Relative.ChapterFolder(chapter) + "/", StringComparison.Ordinal)
                    || error.StartsWith(WorkbookPaths.Relative.GraderFolder(chapter) + "/", StringComparison.Ordinal);
                // Errors that belong to no chapter are in a project they all share: every chapter without results shows them.
                var shared = errors.Where(e => !chapters.Any(c => InChapter(e, c))).ToList();
                foreach (var chapter in together.Where(c => !results.ContainsKey(c.Number)))
                {
                    var own = errors.Where(e => InChapter(e, chapter)).Concat(shared).Take(BuildErrors.MaxShown).ToList();
                    if (own.Count > 0)
                    {
                        results[chapter.Number] = ChapterResult.BuildFailed(chapter, own);
                    }
                }
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
        // Chapters not graded above (no grader in the solution, or no results for a reason the output does not tell): one by one.
        foreach (var chapter in chapters.Where(c => !results.ContainsKey(c.Number)))
        {
            progress?.Invoke($"Building and grading chapter {chapter.Number}...");
            results[chapter.Number] = await GradeAsync(chapter, cancellationToken);
        }
        return chapters.Select(c => results[c.Number]).ToList();
    }

    /// <summary>Grades one chapter: dotnet test of its grader project, filtered on its category.</summary>
    public async Task<ChapterResult> GradeAsync(Chapter chapter, CancellationToken cancellationToken = default)
    {
        if (!HasGrader(chapter))
        {
            return ChapterResult.BuildFailed(chapter, [$"{WorkbookPaths.Relative.GraderFolder(chapter)} does not exist yet: this chapter has no grader."]);
        }
        var directory = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await Processes.RunAsync("dotnet",
                ["test", paths.GraderFolder(chapter), "--nologo", "--filter", $"Category={WorkbookPaths.Relative.Category(chapter)}",
                 "--results-directory", directory, .. NUnitXmlSettings],
                Root, cancellationToken);
            if (ReadResults(directory).FirstOrDefault() is not { } outcomes)
            {
                var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, Root).Take(BuildErrors.MaxShown).ToList();
                if (errors.Count == 0)
                {
                    errors.Add($"dotnet test exited with code {run.ExitCode} and produced no results.");
                }
                return ChapterResult.BuildFailed(chapter, errors);
            }
            return new ChapterResult(chapter, Outcomes.ForChapter(chapter, outcomes), []);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Each test assembly's results in a results directory: one NUnit XML file per assembly.</summary>
    private static IEnumerable<List<TestOutcome>> ReadResults(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.xml").Select(file => Outcomes.ReadNUnitXml(File.ReadAllText(file)))
            : [];

    // "Passed!  - Failed: 0, ... - Chapter01.Graders.dll (net10.0)": which assembly finished.
    [GeneratedRegex(@"(Passed|Failed|Skipped)!.* - (?<assembly>[^ ]+)\.dll \(")]
    private static partial Regex SummaryLine();
}
