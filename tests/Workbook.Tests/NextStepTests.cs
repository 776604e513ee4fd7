using StreamingTutorial.Grading;

namespace StreamingTutorial.Workbook.Tests;

[TestFixture]
public class NextStepTests
{
    private static readonly IReadOnlyList<Chapter> Chapters = TestRepository.Workbook.Catalog.Chapters;

    private static ChapterResult Graded(Chapter chapter, params ExerciseState[] states) =>
        new(chapter, chapter.Exercises.Select((e, i) => new ExerciseResult(chapter, e, i < states.Length ? states[i] : ExerciseState.NotStarted, null)).ToList(), []);

    private static ChapterResult AllDone(Chapter chapter) => Graded(chapter, chapter.Exercises.Select(_ => ExerciseState.Done).ToArray());

    [Test]
    public void On_a_fresh_clone_it_is_the_first_exercise_of_chapter_1()
    {
        var step = NextStep.From(Chapters.Select(c => Graded(c)).ToList());
        Assert.That(step.Kind, Is.EqualTo(NextStepKind.Start));
        Assert.That(step.Exercise!.Exercise.Id, Is.EqualTo("1.1"));
    }

    [Test]
    public void A_chapter_that_does_not_build_comes_first()
    {
        var results = Chapters.Select(c => c.Number == 2 ? ChapterResult.BuildFailed(c, ["error"]) : Graded(c, ExerciseState.Failing)).ToList();
        var step = NextStep.From(results);
        Assert.That(step.Kind, Is.EqualTo(NextStepKind.FixBuild));
        Assert.That(step.Chapter!.Number, Is.EqualTo(2));
    }

    [Test]
    public void A_failing_exercise_comes_before_one_not_started()
    {
        var results = Chapters.Select(c => c.Number == 2 ? Graded(c, ExerciseState.Done, ExerciseState.Failing) : Graded(c)).ToList();
        var step = NextStep.From(results);
        Assert.That(step.Kind, Is.EqualTo(NextStepKind.FixFailing));
        Assert.That(step.Exercise!.Exercise.Id, Is.EqualTo("2.2"));
    }

    [Test]
    public void Done_exercises_are_passed_over_in_the_books_order()
    {
        var results = Chapters.Select(c => c.Number == 1 ? AllDone(c) : Graded(c, ExerciseState.Done)).ToList();
        var step = NextStep.From(results);
        Assert.That(step.Exercise!.Exercise.Id, Is.EqualTo("2.2"));
        Assert.That(NextStep.From(Chapters.Select(AllDone).ToList()).Kind, Is.EqualTo(NextStepKind.AllDone));
    }

    [Test]
    public void The_next_step_points_at_the_line_of_the_TODO()
    {
        using var folder = new TemporaryFolder();
        var chapter = Chapters[0];
        var exercise = chapter.Exercises[1];
        var file = Path.Combine(folder.Path, "chapters", chapter.Folder, exercise.File);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllLines(file, ["class A", "{", $"    // {exercise.Todo}: do it", "}"]);
        Assert.That(NextStep.TodoLocation(folder.Path, chapter, exercise), Is.EqualTo($"chapters/{chapter.Folder}/{exercise.File}:3"));
        File.WriteAllText(file, "solved");
        Assert.That(NextStep.TodoLocation(folder.Path, chapter, exercise), Is.EqualTo($"chapters/{chapter.Folder}/{exercise.File}"));
    }
}

/// <summary>A fresh folder, deleted afterwards.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "workbook-tests-" + Guid.NewGuid().ToString("N"));

    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        // git marks its objects read-only; make them writable so the folder can go.
        foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }
        Directory.Delete(Path, recursive: true);
    }
}
