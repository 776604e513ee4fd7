using StreamingTutorial.Grading;
using StreamingTutorial.Grading.TestSuites;
using Ex1 = StreamingTutorial.Grading.Chapter01.Exercises;
using Ex2 = StreamingTutorial.Grading.Chapter02.Exercises;
using Ex3 = StreamingTutorial.Grading.Chapter03.Exercises;
using Ex4 = StreamingTutorial.Grading.Chapter04.Exercises;
using Ex5 = StreamingTutorial.Grading.Chapter05.Exercises;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// Proves the graders of the learners' tests (exercises N.T): the reference tests under
/// solutions/NN-x.Tests catch every wrong service; weak suites (WeakSuites/ChapterNN/...) get the
/// verdict they deserve; an untouched starter is not started.
/// </summary>
[TestFixture]
[Category("GraderProofs")]
public class TestSuiteProofs
{
    private static readonly string Root = TestSuiteGrader.Root;

    private static IEnumerable<TestCaseData> TestExercises() =>
        ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises.Where(e => e.Side == ExerciseLookup.TestsSide)
            .Select(e => new TestCaseData(c, e).SetArgDisplayNames($"exercise {e.Id}")));

    /// <summary>A weak suite and what its verdict must say.</summary>
    public sealed record WeakSuite(Exercise Exercise, string Folder, string Verdict)
    {
        public override string ToString() => $"{Exercise.Id} {Folder}";
    }

    private static IEnumerable<TestCaseData> WeakSuites() => new WeakSuite[]
    {
        new(Ex1.Tests, "Chapter01/AssertsNothing", "your tests assert nothing"),
        new(Ex1.Tests, "Chapter01/NoFolderInListing", "caught 4 of 5 bugs.\n  Missed:   a ListFiles that also lists folders"),
        new(Ex1.Tests, "Chapter01/FalseAlarm", "one of your tests fails against the reference service, which is correct.\n  Test:     SayHello_greets_by_name"),
        new(Ex1.Tests, "Chapter01/DoesNotCompile", "your tests do not compile.\n  Errors:   FileServiceTests.cs:11: error CS1061"),
        new(Ex2.Tests, "Chapter02/AssertsNothing", "your tests assert nothing"),
        new(Ex2.Tests, "Chapter02/OnlyCounts", "caught 4 of 5 bugs.\n  Missed:   a GenerateNumbers that never sends max"),
        new(Ex3.Tests, "Chapter03/AssertsNothing", "your tests assert nothing"),
        new(Ex4.Tests, "Chapter04/AssertsNothing", "your tests assert nothing"),
        new(Ex4.Tests, "Chapter04/NoEmptyStream", "caught 4 of 5 bugs.\n  Missed:   a SummarizeReadings that answers no readings with an infinite minimum and a NaN mean"),
        new(Ex5.Tests, "Chapter05/AssertsNothing", "your tests assert nothing"),
        new(Ex5.Tests, "Chapter05/NoLeaving", "caught 3 of 5 bugs.\n  Missed:   a chat room that does not tell the others when a member leaves"),
        new(Ex3.Tests, "Chapter03/StatusOnly", "caught 4 of 5 bugs.\n  Missed:   an UploadFile that leaves a half-written file behind when the upload is too large"),
    }.Select(s => new TestCaseData(s).SetName($"Weak suite {s.Exercise.Id} {s.Folder} is told: {s.Verdict.Split('\n')[0]}"));

    [TestCaseSource(nameof(TestExercises))]
    [Order(1)]
    public async Task The_reference_tests_catch_every_wrong_service(Chapter chapter, Exercise exercise)
    {
        var report = await TestSuiteGrader.GradeAsync(exercise, Path.Combine(Root, WorkbookPaths.Relative.SolutionTestsFolder(chapter)));

        Assert.That(report.Reference.AllPassed, Is.True);
        Assert.That(report.Missed, Is.Empty);
        Assert.That(report.WrongServices, Has.Count.GreaterThanOrEqualTo(4), "Each chapter needs at least 4 wrong services.");
        TestContext.Out.WriteLine(report.Timings);
        foreach (var line in report.Catches)
        {
            TestContext.Out.WriteLine(line);
        }
    }

    [TestCaseSource(nameof(WeakSuites))]
    public async Task A_weak_suite_gets_the_right_verdict(WeakSuite suite)
    {
        GradingFailure? failure = null;
        try
        {
            var report = await TestSuiteGrader.GradeAsync(suite.Exercise, Path.Combine(Root, "tests", "GraderProofs", "WeakSuites", suite.Folder));
            Assert.Fail("The weak suite passed; it caught:\n" + string.Join("\n", report.Catches));
        }
        catch (GradingFailure caught)
        {
            failure = caught;
        }

        Assert.That(failure!.Message.Replace("\r\n", "\n"), Does.Contain(suite.Verdict));
        TestContext.Out.WriteLine(failure.Message);
    }

    [TestCaseSource(nameof(TestExercises))]
    public void The_starter_is_not_started(Chapter chapter, Exercise exercise)
    {
        var starter = Path.Combine(Root, WorkbookPaths.Relative.ChapterTestsFolder(chapter));

        Assert.ThrowsAsync<NotStartedException>(() => TestSuiteGrader.GradeAsync(exercise, starter));
    }
}
