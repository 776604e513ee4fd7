using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Grading.Chapter02;

/// <summary>
/// Chapter 2's exercises, found in chapters.json by the method the learner writes (the generated
/// service's method where there is one; the learner's StreamingClient, which this library cannot name, by
/// its method's name), so their ids live in chapters.json alone.
/// </summary>
public static class Exercises
{
    public static Chapter Chapter { get; } = ChapterCatalog.Current.Chapter(2);

    public static Exercise GetTimeUpdates { get; } = Chapter.Exercise(nameof(StreamingService.StreamingServiceBase.GetTimeUpdates));

    public static Exercise GenerateNumbers { get; } = Chapter.Exercise(nameof(RandomService.RandomServiceBase.GenerateNumbers));

    public static Exercise ReadTimeUpdatesAsync { get; } = Chapter.Exercise("ReadTimeUpdatesAsync");

    public static Exercise ReadNumbersAsync { get; } = Chapter.Exercise("ReadNumbersAsync");

    /// <summary>The learner's own tests (exercise N.T), graded by the bugs they catch.</summary>
    public static Exercise Tests { get; } = Chapter.TestsExercise();
}
