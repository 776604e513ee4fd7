using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using StreamingTutorial.Grading;

namespace StreamingTutorial.Workbook;

public enum ExerciseState
{
    NotStarted,
    Failing,
    Done,
}

public sealed record ExerciseResult(Chapter Chapter, Exercise Exercise, ExerciseState State, string? Message);

/// <summary>The outcome of grading one chapter: its exercises, or the build errors that stopped it.</summary>
public sealed record ChapterResult(Chapter Chapter, IReadOnlyList<ExerciseResult> Exercises, IReadOnlyList<string> BuildErrors);

/// <summary>Grades chapters by running their grader projects with `dotnet test` and reading the TRX results.</summary>
public sealed partial class Grader(string repositoryRoot)
{
    public string Root { get; } = repositoryRoot;

    public static string GraderProject(Chapter chapter) => $"tests/Graders/Chapter{chapter.Number:00}.Graders";

    public async Task<ChapterResult> GradeAsync(Chapter chapter, CancellationToken cancellationToken = default)
    {
        var results = Path.Combine(Path.GetTempPath(), "workbook-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output) = await RunAsync("dotnet",
                ["test", Path.Combine(Root, GraderProject(chapter)), "--nologo", "--logger", "trx;LogFileName=results.trx", "--results-directory", results],
                cancellationToken);
            var trx = Path.Combine(results, "results.trx");
            if (!File.Exists(trx))
            {
                var errors = CompilerError().Matches(output).Select(m => m.Value.Trim()).Distinct().Take(10).ToList();
                if (errors.Count == 0)
                {
                    errors.Add($"dotnet test exited with code {exitCode} and produced no results.");
                }
                return new ChapterResult(chapter, [], errors);
            }
            return new ChapterResult(chapter, ReadTrx(chapter, trx), []);
        }
        finally
        {
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }
    }

    private static List<ExerciseResult> ReadTrx(Chapter chapter, string trxPath)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var document = XDocument.Load(trxPath);
        var outcomes = document.Descendants(ns + "UnitTestResult")
            .Select(r => (Name: (string?)r.Attribute("testName") ?? "", Outcome: (string?)r.Attribute("outcome") ?? "",
                Message: r.Descendants(ns + "Message").FirstOrDefault()?.Value))
            .ToList();
        var list = new List<ExerciseResult>();
        foreach (var exercise in chapter.Exercises)
        {
            // Grader tests are named Exercise_<chapter>_<k>_..., e.g. Exercise_1_3_WriteFile_...
            var prefix = "Exercise_" + exercise.Id.Replace('.', '_') + "_";
            var outcome = outcomes.FirstOrDefault(o => o.Name.StartsWith(prefix, StringComparison.Ordinal));
            var state = outcome.Outcome switch
            {
                "Passed" => ExerciseState.Done,
                "NotExecuted" => ExerciseState.NotStarted,
                _ when outcome.Name.Length == 0 => ExerciseState.NotStarted,
                _ => ExerciseState.Failing,
            };
            list.Add(new ExerciseResult(chapter, exercise, state, outcome.Message));
        }
        return list;
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    // "path/File.cs(12,34): error CS1002: ; expected [project]" without the project suffix.
    [GeneratedRegex(@"[^\s]+\.cs\(\d+,\d+\): error [A-Z]+\d+: [^\[\r\n]+")]
    private static partial Regex CompilerError();
}
