using StreamingTutorial.Workbook.Commands;

namespace StreamingTutorial.Workbook.Tests;

[TestFixture]
public class HintTests
{
    private static readonly WorkbookFolder Workbook = TestRepository.Workbook;

    [Test]
    public void Hints_come_one_at_a_time_then_run_out()
    {
        var state = new WorkbookState();
        var exercise = Workbook.Catalog.Exercise("1.3");
        var numbers = Enumerable.Range(0, exercise.Hints.Count + 1).Select(_ => HintCommand.Take(state, exercise)).ToList();
        Assert.That(numbers, Is.EqualTo(Enumerable.Range(1, exercise.Hints.Count).Select(n => (int?)n).Append(null)));
        Assert.That(HintCommand.Take(state, Workbook.Catalog.Exercise("1.4")), Is.EqualTo(1), "Each exercise counts its own hints.");
    }

    [Test]
    public void The_count_of_hints_shown_survives_between_runs()
    {
        using var folder = new TemporaryFolder();
        var state = new WorkbookState();
        HintCommand.Take(state, Workbook.Catalog.Exercise("2.1"));
        state.LastGrade["2.1"] = ExerciseState.Failing;
        state.Save(folder.Path);
        var loaded = WorkbookState.Load(folder.Path);
        Assert.That(HintCommand.Take(loaded, Workbook.Catalog.Exercise("2.1")), Is.EqualTo(2));
        Assert.That(loaded.GradeOf("2.1"), Is.EqualTo(ExerciseState.Failing));

        File.WriteAllText(WorkbookState.PathIn(folder.Path), "{ not json");
        Assert.That(WorkbookState.Load(folder.Path).HintsShown, Is.Empty, "A damaged state file starts afresh.");
    }

    [Test]
    public void With_no_argument_it_is_the_next_exercise_as_last_graded()
    {
        var state = new WorkbookState();
        Assert.That(HintCommand.Choose(Workbook, state, null).Exercise.Id, Is.EqualTo("1.1"), "Nothing graded yet: the first exercise.");
        state.LastGrade["1.1"] = ExerciseState.Done;
        state.LastGrade["1.2"] = ExerciseState.Done;
        Assert.That(HintCommand.Choose(Workbook, state, null).Exercise.Id, Is.EqualTo("1.3"));
        state.LastGrade["3.2"] = ExerciseState.Failing;
        Assert.That(HintCommand.Choose(Workbook, state, null).Exercise.Id, Is.EqualTo("3.2"), "A failing exercise is the one being worked on.");
    }

    [Test]
    public void A_chapter_number_means_its_first_exercise_not_done_and_an_id_means_that_exercise()
    {
        var state = new WorkbookState();
        state.LastGrade["2.1"] = ExerciseState.Done;
        Assert.That(HintCommand.Choose(Workbook, state, "2").Exercise.Id, Is.EqualTo("2.2"));
        Assert.That(HintCommand.Choose(Workbook, state, "02").Exercise.Id, Is.EqualTo("2.2"));
        Assert.That(HintCommand.Choose(Workbook, state, "2.1").Exercise.Id, Is.EqualTo("2.1"));
        foreach (var exercise in Workbook.Catalog.Chapters[0].Exercises)
        {
            state.LastGrade[exercise.Id] = ExerciseState.Done;
        }
        Assert.That(() => HintCommand.Choose(Workbook, state, "1"), Throws.TypeOf<NothingLeftException>().With.Message.Contains("Every exercise of chapter 1 is done"));
    }

    [Test]
    public void Unknown_chapters_and_exercises_are_explained()
    {
        var last = Workbook.Catalog.Chapters[^1].Number;
        var range = $"chapters are {Workbook.Catalog.Chapters[0].Number}-{last}.";
        Assert.That(() => Workbook.ParseChapter("7"), Throws.TypeOf<UsageException>().With.Message.EqualTo($"There is no chapter 7; {range}"));
        Assert.That(() => Workbook.ParseChapter("one"), Throws.TypeOf<UsageException>().With.Message.EqualTo($"'one' is not a chapter number; {range}"));
        Assert.That(() => Workbook.ParseChapterOrExercise("1.9"), Throws.TypeOf<UsageException>().With.Message.EqualTo("There is no exercise 1.9; chapter 1 has exercises 1.1 to 1.T."));
        Assert.That(() => Workbook.ParseChapterOrExercise("9.1"), Throws.TypeOf<UsageException>().With.Message.EqualTo($"There is no chapter 9; {range}"));
    }
}

[TestFixture]
public class WatchedFilesTests
{
    private static readonly WorkbookFolder Workbook = TestRepository.Workbook;

    [TestCase("chapters/01-unary/FileServiceImpl.cs", 1)]
    [TestCase("chapters/02-server-streaming/Unary/Nested.cs", 2)]
    [TestCase("chapters/03-client-streaming-uploader/Uploader.csproj", 3)]
    [TestCase("chapters/01-unary/obj/Debug/net10.0/Chapter01.Unary.AssemblyInfo.cs", null)]
    [TestCase("chapters/01-unary/bin/Debug/x.cs", null)]
    [TestCase("chapters/01-unary/README.md", null)]
    [TestCase("chapters/chapters.json", null)]
    [TestCase("chapters/99-unknown/A.cs", null)]
    public void A_save_is_graded_in_its_chapter_and_build_output_is_ignored(string path, int? chapter)
    {
        Assert.That(Commands.WatchCommand.ChapterOf(Workbook, Path.Combine(Workbook.Root, path))?.Number, Is.EqualTo(chapter));
    }
}
