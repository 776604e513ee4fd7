
namespace StreamingTutorial.Workbook;

public enum NextStepKind
{
    FixBuild,
    FixFailing,
    Start,
    AllDone,
    NothingGraded,
}

/// <summary>What the learner should do next, and where.</summary>
public sealed record NextStep(NextStepKind Kind, Chapter? Chapter, ExerciseResult? Exercise)
{
    /// <summary>
    /// A chapter that does not build comes first (nothing in it can be graded); then the first
    /// failing exercise, which is what the learner is working on; then the first exercise not
    /// started, in the book's order.
    /// </summary>
    public static NextStep From(IReadOnlyList<ChapterResult> results)
    {
        if (results.FirstOrDefault(r => !r.Builds) is { } broken)
        {
            return new NextStep(NextStepKind.FixBuild, broken.Chapter, null);
        }
        var exercises = results.SelectMany(r => r.Exercises).ToList();
        if (exercises.FirstOrDefault(e => e.State == ExerciseState.Failing) is { } failing)
        {
            return new NextStep(NextStepKind.FixFailing, failing.Chapter, failing);
        }
        if (exercises.FirstOrDefault(e => e.State == ExerciseState.NotStarted) is { } next)
        {
            return new NextStep(NextStepKind.Start, next.Chapter, next);
        }
        return exercises.Count > 0 ? new NextStep(NextStepKind.AllDone, null, null) : new NextStep(NextStepKind.NothingGraded, null, null);
    }

    /// <summary>The same decision from the last grades remembered in the state file.</summary>
    public static NextStep From(ChapterCatalog catalog, WorkbookState state) =>
        From(catalog.Chapters.Select(chapter => state.ChaptersNotBuilding.Contains(chapter.Number)
            ? ChapterResult.BuildFailed(chapter, ["(did not build when last graded)"])
            : new ChapterResult(chapter, chapter.Exercises.Select(e => new ExerciseResult(chapter, e, state.GradeOf(e.Id), null)).ToList(), []))
            .ToList());

    /// <summary>
    /// "chapters/01-unary/FileServiceImpl.cs": an exercise's file from the workbook's folder. A test
    /// exercise's file is in the chapter's test project beside it ("../01-unary.Tests/..." in chapters.json).
    /// </summary>
    public static string RelativePath(Chapter chapter, Exercise exercise) => chapter.TodoFile(exercise);

    /// <summary>"chapters/01-unary/FileServiceImpl.cs:12", the line of the exercise's TODO (or just the file if it is gone).</summary>
    public static string TodoLocation(string root, Chapter chapter, Exercise exercise)
    {
        var relative = RelativePath(chapter, exercise);
        var path = Path.Combine(root, relative);
        if (File.Exists(path))
        {
            var lines = File.ReadAllLines(path);
            var index = Array.FindIndex(lines, l => l.Contains($"// {exercise.Todo}:", StringComparison.Ordinal));
            if (index >= 0)
            {
                return $"{relative}:{index + 1}";
            }
        }
        return relative;
    }
}
