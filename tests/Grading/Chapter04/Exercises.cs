using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>
/// Chapter 4's exercises, found in chapters.json by the method the learner writes (the generated
/// service's method where there is one; the learner's NumbersClient, which this library cannot name, by
/// its method's name), so their ids live in chapters.json alone.
/// </summary>
public static class Exercises
{
    public static Chapter Chapter { get; } = ChapterCatalog.Current.Chapter(4);

    public static Exercise SumNumbers { get; } = Chapter.Exercise(nameof(NumberService.NumberServiceBase.SumNumbers));

    public static Exercise SummarizeReadings { get; } = Chapter.Exercise(nameof(SensorService.SensorServiceBase.SummarizeReadings));

    public static Exercise SumAsync { get; } = Chapter.Exercise("SumAsync");

    public static Exercise SummarizeAsync { get; } = Chapter.Exercise("SummarizeAsync");

    /// <summary>The learner's own tests (exercise N.T), graded by the bugs they catch.</summary>
    public static Exercise Tests { get; } = Chapter.TestsExercise();
}
