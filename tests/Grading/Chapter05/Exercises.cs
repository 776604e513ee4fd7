using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// Chapter 5's exercises, found in chapters.json by the method the learner writes (the generated
/// service's method where there is one; the learner's ChatClient, which this library cannot name, by
/// its method's name), so their ids live in chapters.json alone.
/// </summary>
public static class Exercises
{
    public static Chapter Chapter { get; } = ChapterCatalog.Current.Chapter(5);

    public static Exercise Broadcast { get; } = Chapter.Exercise(nameof(IChatRoomUnderTest.Broadcast));

    public static Exercise Leave { get; } = Chapter.Exercise(nameof(IChatRoomUnderTest.Leave));

    public static Exercise JoinChat { get; } = Chapter.Exercise(nameof(ChatService.ChatServiceBase.JoinChat));

    public static Exercise FormatLine { get; } = Chapter.Exercise("FormatLine");

    public static Exercise ChatAsync { get; } = Chapter.Exercise("ChatAsync");

    /// <summary>The learner's own tests (exercise N.T), graded by the bugs they catch.</summary>
    public static Exercise Tests { get; } = Chapter.TestsExercise();
}
