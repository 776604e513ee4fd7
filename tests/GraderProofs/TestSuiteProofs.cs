using StreamingTutorial.Grading;
using StreamingTutorial.Grading.TestSuites;

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
        ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises.Where(e => e.Side == "tests")
            .Select(e => new TestCaseData(c, e).SetArgDisplayNames($"exercise {e.Id}")));

    /// <summary>A weak suite and what its verdict must say.</summary>
    public sealed record WeakSuite(string ExerciseId, string Folder, string Verdict)
    {
        public override string ToString() => $"{ExerciseId} {Folder}";
    }

    private static IEnumerable<TestCaseData> WeakSuites() => new WeakSuite[]
    {
        new("1.T", "Chapter01/AssertsNothing", "your tests assert nothing"),
        new("1.T", "Chapter01/NoFolderInListing", "caught 4 of 5 bugs.\n  Missed:   a ListFiles that also lists folders"),
        new("1.T", "Chapter01/FalseAlarm", "one of your tests fails against the reference service, which is correct.\n  Test:     SayHello_greets_by_name"),
        new("1.T", "Chapter01/DoesNotCompile", "your tests do not compile.\n  Errors:   FileServiceTests.cs:11: error CS1061"),
        new("2.T", "Chapter02/AssertsNothing", "your tests assert nothing"),
        new("2.T", "Chapter02/OnlyCounts", "caught 4 of 5 bugs.\n  Missed:   a GenerateNumbers that never sends max"),
        new("3.T", "Chapter03/AssertsNothing", "your tests assert nothing"),
        new("4.T", "Chapter04/AssertsNothing", "your tests assert nothing"),
        new("4.T", "Chapter04/NoEmptyStream", "caught 4 of 5 bugs.\n  Missed:   a SummarizeReadings that answers no readings with an infinite minimum and a NaN mean"),
        new("5.T", "Chapter05/AssertsNothing", "your tests assert nothing"),
        new("5.T", "Chapter05/NoLeaving", "caught 3 of 5 bugs.\n  Missed:   a chat room that does not tell the others when a member leaves"),
        new("3.T", "Chapter03/StatusOnly", "caught 4 of 5 bugs.\n  Missed:   an UploadFile that leaves a half-written file behind when the upload is too large"),
    }.Select(s => new TestCaseData(s).SetName($"Weak suite {s.ExerciseId} {s.Folder} is told: {s.Verdict.Split('\n')[0]}"));

    [TestCaseSource(nameof(TestExercises))]
    [Order(1)]
    public async Task The_reference_tests_catch_every_wrong_service(Chapter chapter, Exercise exercise)
    {
        var report = await TestSuiteGrader.GradeAsync(exercise.Id, Path.Combine(Root, "solutions", chapter.Folder + ".Tests"));

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
            var report = await TestSuiteGrader.GradeAsync(suite.ExerciseId, Path.Combine(Root, "tests", "GraderProofs", "WeakSuites", suite.Folder));
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
        var starter = Path.Combine(Root, "chapters", chapter.Folder + ".Tests");

        Assert.ThrowsAsync<NotStartedException>(() => TestSuiteGrader.GradeAsync(exercise.Id, starter));
    }
}
