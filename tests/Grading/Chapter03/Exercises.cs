using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Grading.Chapter03;

/// <summary>
/// Chapter 3's exercises, found in chapters.json by the method the learner writes (the generated
/// service's method where there is one; the learner's UploaderClient, which this library cannot name, by
/// its method's name), so their ids live in chapters.json alone.
/// </summary>
public static class Exercises
{
    public static Chapter Chapter { get; } = ChapterCatalog.Current.Chapter(3);

    public static Exercise UploadImage { get; } = Chapter.Exercise(nameof(UploaderService.UploaderServiceBase.UploadImage));

    public static Exercise UploadFile { get; } = Chapter.Exercise(nameof(UploaderService.UploaderServiceBase.UploadFile));

    public static Exercise UploadRandomChunksAsync { get; } = Chapter.Exercise("UploadRandomChunksAsync");

    public static Exercise UploadFileAsync { get; } = Chapter.Exercise("UploadFileAsync");

    /// <summary>The learner's own tests (exercise N.T), graded by the bugs they catch.</summary>
    public static Exercise Tests { get; } = Chapter.TestsExercise();
}
