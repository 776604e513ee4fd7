using System.Xml.Linq;

namespace StreamingTutorial.Workbook;

public enum ExerciseState
{
    NotStarted,
    Failing,
    Done,
}

public sealed record ExerciseResult(Chapter Chapter, Exercise Exercise, ExerciseState State, string? Message);

/// <summary>The outcome of grading one chapter: its exercises, or the build errors (or other problem) that stopped it.</summary>
public sealed record ChapterResult(Chapter Chapter, IReadOnlyList<ExerciseResult> Exercises, IReadOnlyList<string> BuildErrors)
{
    /// <summary>What stopped the grading, as a heading for <see cref="BuildErrors"/>.</summary>
    public string Problem { get; init; } = "does not build";

    public bool Builds => BuildErrors.Count == 0;

    public static ChapterResult BuildFailed(Chapter chapter, IReadOnlyList<string> errors) => new(chapter, [], errors);

    /// <summary>The chapter built, but its graders could not run to the end (a crash or a hang in the code under test).</summary>
    public static ChapterResult NotGraded(Chapter chapter, string reason) => new(chapter, [], [reason]) { Problem = "could not be graded" };
}

/// <summary>One grader test's result, from NUnit's result XML (written by dotnet test's NUnit adapter, or by NUnit in-process in watch).</summary>
/// <param name="Exercise">The id of the exercise the test grades: its NUnit property <see cref="ExerciseLookup.TestProperty"/>; null for a test without one.</param>
/// <param name="Outcome">Passed, Failed or Skipped (a grader skips an exercise that is not started).</param>
public sealed record TestOutcome(string Name, string? Exercise, string Outcome, string? Message);

/// <summary>Turns grader test results into exercise states: the one place both ways of grading meet.</summary>
public static class Outcomes
{
    public static List<ExerciseResult> ForChapter(Chapter chapter, IReadOnlyCollection<TestOutcome> outcomes)
    {
        var list = new List<ExerciseResult>();
        foreach (var exercise in chapter.Exercises)
        {
            var tests = outcomes.Where(o => o.Exercise == exercise.Id).ToList();
            // An exercise with several tests is done when all pass, failing when one fails.
            var failed = tests.FirstOrDefault(t => IsFailure(t.Outcome));
            var state = tests.Count == 0 ? ExerciseState.NotStarted
                : failed is not null ? ExerciseState.Failing
                : tests.All(t => t.Outcome == "Passed") ? ExerciseState.Done
                : ExerciseState.NotStarted;
            var message = failed?.Message ?? tests.FirstOrDefault(t => t.Outcome != "Passed")?.Message;
            list.Add(new ExerciseResult(chapter, exercise, state, message?.Trim()));
        }
        return list;
    }

    /// <summary>
    /// The chapter these results grade, from the exercises their tests name: null when they name
    /// none, or exercises of more than one chapter.
    /// </summary>
    public static Chapter? ChapterOf(IEnumerable<Chapter> chapters, IReadOnlyCollection<TestOutcome> outcomes)
    {
        var ids = outcomes.Select(o => o.Exercise).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var found = chapters.Where(c => c.Exercises.Any(e => ids.Contains(e.Id))).ToList();
        return found is [{ } only] && ids.All(id => only.Exercises.Any(e => e.Id == id)) ? only : null;
    }

    /// <summary>The test cases in NUnit's result XML, as outcomes.</summary>
    public static List<TestOutcome> ReadNUnitXml(string xml) =>
        XDocument.Parse(xml).Descendants("test-case")
            .Select(c => new TestOutcome(
                (string?)c.Attribute("name") ?? "",
                c.Element("properties")?.Elements("property")
                    .FirstOrDefault(p => (string?)p.Attribute("name") == ExerciseLookup.TestProperty)?.Attribute("value")?.Value,
                (string?)c.Attribute("result") switch
                {
                    "Passed" => "Passed",
                    "Skipped" => "Skipped",
                    "Inconclusive" => "Inconclusive",
                    "Warning" => "Warning",
                    _ => "Failed",
                },
                c.Element("failure")?.Element("message")?.Value ?? c.Element("reason")?.Element("message")?.Value))
            .ToList();

    private static bool IsFailure(string outcome) =>
        outcome is "Failed" or "Error" or "Timeout" or "Aborted" or "Inconclusive" or "Warning";
}
