namespace StreamingTutorial.Catalog;

/// <summary>
/// Finding a chapter by its number and an exercise by the name of the method the learner writes,
/// so code that grades an exercise names it as the code does and never spells its id ("1.3"):
/// renumbering an exercise is a change in chapters.json alone.
/// </summary>
public static class ExerciseLookup
{
    /// <summary>The side of the exercise that grades the learner's own tests (N.T).</summary>
    public const string TestsSide = "tests";

    /// <summary>
    /// The NUnit property every grader test carries with the id of the exercise it grades; the
    /// workbook tool reads it back from NUnit's results, never from a test's name.
    /// </summary>
    public const string TestProperty = "Exercise";

    public static Chapter Chapter(this ChapterCatalog catalog, int number) =>
        catalog.Chapters.FirstOrDefault(c => c.Number == number)
        ?? throw new KeyNotFoundException($"No chapter {number} in chapters.json.");

    /// <summary>The exercise whose method is <paramref name="name"/> (its "name" in chapters.json).</summary>
    public static Exercise Exercise(this Chapter chapter, string name) =>
        chapter.Exercises.FirstOrDefault(e => e.Name == name)
        ?? throw new KeyNotFoundException($"No exercise named '{name}' in chapter {chapter.Number} of chapters.json (its exercises: {string.Join(", ", chapter.Exercises.Select(e => $"{e.Id} {e.Name}"))}).");

    /// <summary>The chapter's exercise N.T: the learner's tests, graded by the bugs they catch.</summary>
    public static Exercise TestsExercise(this Chapter chapter) =>
        chapter.Exercises.SingleOrDefault(e => e.Side == TestsSide)
        ?? throw new KeyNotFoundException($"Chapter {chapter.Number} of chapters.json has no exercise with side \"{TestsSide}\".");

    /// <summary>The exercise with this id, or null: for ids read back from test results.</summary>
    public static Exercise? FindExercise(this ChapterCatalog catalog, string id) =>
        catalog.Chapters.SelectMany(c => c.Exercises).FirstOrDefault(e => e.Id == id);

    /// <summary>The file an exercise's TODO is in, relative to the workbook's folder: chapters/01-unary/FileServiceImpl.cs.</summary>
    public static string TodoFile(this ChapterCatalog catalog, Exercise exercise) => catalog.ChapterOf(exercise).TodoFile(exercise);

    /// <inheritdoc cref="TodoFile(ChapterCatalog, Exercise)"/>
    public static string TodoFile(this Chapter chapter, Exercise exercise) =>
        // A test exercise's file is in the test project beside the chapter ("../01-unary.Tests/..." in chapters.json).
        exercise.File.StartsWith("../", StringComparison.Ordinal)
            ? $"{Path.GetDirectoryName(WorkbookPaths.Relative.ChapterFolder(chapter))!.Replace('\\', '/')}/{exercise.File[3..]}"
            : $"{WorkbookPaths.Relative.ChapterFolder(chapter)}/{exercise.File}";
}
