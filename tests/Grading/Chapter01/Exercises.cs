using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Grading.Chapter01;

/// <summary>
/// Chapter 1's exercises, found in chapters.json by the method the learner writes (the generated
/// service's method where there is one; the learner's FileClient, which this library cannot name, by
/// its method's name), so their ids live in chapters.json alone.
/// </summary>
public static class Exercises
{
    public static Chapter Chapter { get; } = ChapterCatalog.Current.Chapter(1);

    public static Exercise SayHello { get; } = Chapter.Exercise(nameof(FileService.FileServiceBase.SayHello));

    public static Exercise GetServerTime { get; } = Chapter.Exercise(nameof(FileService.FileServiceBase.GetServerTime));

    public static Exercise WriteFile { get; } = Chapter.Exercise(nameof(FileService.FileServiceBase.WriteFile));

    public static Exercise ListFiles { get; } = Chapter.Exercise(nameof(FileService.FileServiceBase.ListFiles));

    public static Exercise GreetAsync { get; } = Chapter.Exercise("GreetAsync");

    public static Exercise GetServerTimeAsync { get; } = Chapter.Exercise("GetServerTimeAsync");

    public static Exercise WriteAndListAsync { get; } = Chapter.Exercise("WriteAndListAsync");

    /// <summary>The learner's own tests (exercise N.T), graded by the bugs they catch.</summary>
    public static Exercise Tests { get; } = Chapter.TestsExercise();
}
