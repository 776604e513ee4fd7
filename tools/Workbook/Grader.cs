using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace StreamingTutorial.Workbook;

/// <summary>Grades chapters exactly as dotnet test does: runs the chapters' grader projects with a TRX logger and reads the results.</summary>
public sealed partial class Grader(string repositoryRoot)
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public string Root { get; } = repositoryRoot;

    public static string GraderProject(Chapter chapter) => $"tests/Graders/Chapter{chapter.Number:00}.Graders";

    public static string GraderProjectFile(Chapter chapter) => $"{GraderProject(chapter)}/Chapter{chapter.Number:00}.Graders.csproj";

    public static string Category(Chapter chapter) => $"Chapter{chapter.Number:00}";

    public bool HasGrader(Chapter chapter) => File.Exists(Path.Combine(Root, GraderProjectFile(chapter)));

    /// <summary>
    /// Grades several chapters with one dotnet test of a solution filter holding their grader
    /// projects: one build and one test run instead of one per chapter, which is much faster.
    /// A chapter that does not compile does not stop the others.
    /// </summary>
    public async Task<List<ChapterResult>> GradeAllAsync(IReadOnlyList<Chapter> chapters, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var solution = File.ReadAllText(Path.Combine(Root, "StreamingTutorial.sln")).Replace('\\', '/');
        var together = chapters.Where(c => HasGrader(c) && solution.Contains(GraderProjectFile(c), StringComparison.Ordinal)).ToList();
        var results = new Dictionary<int, ChapterResult>();
        if (together.Count > 0)
        {
            var filter = Path.Combine(Root, ".workbook", "graders.slnf");
            Directory.CreateDirectory(Path.GetDirectoryName(filter)!);
            await File.WriteAllTextAsync(filter, JsonSerializer.Serialize(new
            {
                solution = new { path = "../StreamingTutorial.sln", projects = together.Select(GraderProjectFile).ToArray() },
            }), cancellationToken);
            var directory = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
            try
            {
                progress?.Invoke($"Building and grading chapters {string.Join(", ", together.Select(c => c.Number))}...");
                var run = await Processes.RunAsync("dotnet", ["test", filter, "--nologo", "--logger", "trx", "--results-directory", directory],
                    Root, cancellationToken, line =>
                    {
                        if (SummaryLine().Match(line) is { Success: true } summary)
                        {
                            progress?.Invoke($"Graded chapter {int.Parse(summary.Groups["chapter"].Value, System.Globalization.CultureInfo.InvariantCulture)}; building and grading the others...");
                        }
                    });
                foreach (var trx in Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.trx") : [])
                {
                    var document = XDocument.Load(trx);
                    if (together.FirstOrDefault(c => c.Number == ChapterOf(document)) is { } chapter)
                    {
                        results[chapter.Number] = new ChapterResult(chapter, Outcomes.ForChapter(chapter, ReadTrx(document)), []);
                    }
                }
                var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, Root);
                bool InChapter(string error, Chapter chapter) =>
                    error.StartsWith($"chapters/{chapter.Folder}/", StringComparison.Ordinal) || error.StartsWith(GraderProject(chapter) + "/", StringComparison.Ordinal);
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
            return ChapterResult.BuildFailed(chapter, [$"{GraderProject(chapter)} does not exist yet: this chapter has no grader."]);
        }
        var directory = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await Processes.RunAsync("dotnet",
                ["test", Path.Combine(Root, GraderProject(chapter)), "--nologo", "--filter", $"Category={Category(chapter)}",
                 "--logger", "trx;LogFileName=results.trx", "--results-directory", directory],
                Root, cancellationToken);
            var trx = Path.Combine(directory, "results.trx");
            if (!File.Exists(trx))
            {
                var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, Root).Take(BuildErrors.MaxShown).ToList();
                if (errors.Count == 0)
                {
                    errors.Add($"dotnet test exited with code {run.ExitCode} and produced no results.");
                }
                return ChapterResult.BuildFailed(chapter, errors);
            }
            return new ChapterResult(chapter, Outcomes.ForChapter(chapter, ReadTrx(XDocument.Load(trx))), []);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Which chapter's grader assembly a TRX file reports on, from the test assembly's name.</summary>
    public static int? ChapterOf(XDocument trx)
    {
        var storage = trx.Descendants(Trx + "UnitTest").Select(t => (string?)t.Attribute("storage")).FirstOrDefault(s => s is not null);
        return storage is not null && AssemblyChapter().Match(Path.GetFileName(storage)) is { Success: true } match
            ? int.Parse(match.Groups["chapter"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>The test results in a TRX file (the format of dotnet test --logger trx).</summary>
    public static List<TestOutcome> ReadTrx(XDocument trx) =>
        trx.Descendants(Trx + "UnitTestResult")
            .Select(r => new TestOutcome(
                (string?)r.Attribute("testName") ?? "",
                ((string?)r.Attribute("outcome") ?? "") is "NotExecuted" ? "Skipped" : (string?)r.Attribute("outcome") ?? "",
                r.Descendants(Trx + "Message").FirstOrDefault()?.Value))
            .ToList();

    // "Passed!  - Failed: 0, ... - Chapter01.Graders.dll (net10.0)"
    [GeneratedRegex(@"(Passed|Failed|Skipped)!.*Chapter(?<chapter>\d+)\.Graders\.dll")]
    private static partial Regex SummaryLine();

    // TRX files keep the test assembly's path in lower case.
    [GeneratedRegex(@"^Chapter(?<chapter>\d+)\.Graders\.dll$", RegexOptions.IgnoreCase)]
    private static partial Regex AssemblyChapter();
}
