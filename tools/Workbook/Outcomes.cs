
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

/// <summary>One grader test's result, from a TRX file (dotnet test) or from NUnit run in-process (watch).</summary>
/// <param name="Outcome">Passed, Failed or Skipped (a grader skips an exercise that is not started).</param>
public sealed record TestOutcome(string Name, string Outcome, string? Message);

/// <summary>Turns grader test results into exercise states: the one place both ways of grading meet.</summary>
public static class Outcomes
{
    public static List<ExerciseResult> ForChapter(Chapter chapter, IReadOnlyCollection<TestOutcome> outcomes)
    {
        var list = new List<ExerciseResult>();
        foreach (var exercise in chapter.Exercises)
        {
            // Grader tests are named Exercise_<chapter>_<k>_..., e.g. Exercise_1_3_WriteFile_...
            var prefix = "Exercise_" + exercise.Id.Replace('.', '_') + "_";
            var tests = outcomes.Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
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

    private static bool IsFailure(string outcome) =>
        outcome is "Failed" or "Error" or "Timeout" or "Aborted" or "Inconclusive" or "Warning";
}
