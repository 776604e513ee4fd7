using System.Xml.Linq;
using StreamingTutorial.Grading;

namespace StreamingTutorial.Workbook;

/// <summary>Grades chapters exactly as dotnet test does: runs a chapter's grader project with a TRX logger and reads the results.</summary>
public sealed class Grader(string repositoryRoot)
{
    public string Root { get; } = repositoryRoot;

    public static string GraderProject(Chapter chapter) => $"tests/Graders/Chapter{chapter.Number:00}.Graders";

    public static string Category(Chapter chapter) => $"Chapter{chapter.Number:00}";

    public bool HasGrader(Chapter chapter) => Directory.Exists(Path.Combine(Root, GraderProject(chapter)));

    public async Task<ChapterResult> GradeAsync(Chapter chapter, CancellationToken cancellationToken = default)
    {
        if (!HasGrader(chapter))
        {
            return ChapterResult.BuildFailed(chapter, [$"{GraderProject(chapter)} does not exist yet: this chapter has no grader."]);
        }
        var results = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await Processes.RunAsync("dotnet",
                ["test", Path.Combine(Root, GraderProject(chapter)), "--nologo", "--filter", $"Category={Category(chapter)}",
                 "--logger", "trx;LogFileName=results.trx", "--results-directory", results],
                Root, cancellationToken);
            var trx = Path.Combine(results, "results.trx");
            if (!File.Exists(trx))
            {
                var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, Root);
                if (errors.Count == 0)
                {
                    errors.Add($"dotnet test exited with code {run.ExitCode} and produced no results.");
                }
                return ChapterResult.BuildFailed(chapter, errors);
            }
            return new ChapterResult(chapter, Outcomes.ForChapter(chapter, ReadTrx(File.ReadAllText(trx))), []);
        }
        finally
        {
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }
    }

    /// <summary>The test results in a TRX file (the format of dotnet test --logger trx).</summary>
    public static List<TestOutcome> ReadTrx(string trx)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        return XDocument.Parse(trx).Descendants(ns + "UnitTestResult")
            .Select(r => new TestOutcome(
                (string?)r.Attribute("testName") ?? "",
                ((string?)r.Attribute("outcome") ?? "") is "NotExecuted" ? "Skipped" : (string?)r.Attribute("outcome") ?? "",
                r.Descendants(ns + "Message").FirstOrDefault()?.Value))
            .ToList();
    }
}
