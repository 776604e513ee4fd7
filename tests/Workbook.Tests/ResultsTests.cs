namespace StreamingTutorial.Workbook.Tests;

/// <summary>
/// Both ways of grading (dotnet test, whose NUnit adapter writes NUnit's result XML, and NUnit
/// in-process in watch) give NUnit's XML, and each result is tied to its exercise by the test's
/// Exercise property, never by its name.
/// </summary>
[TestFixture]
public class ResultsTests
{
    private static readonly Chapter Chapter1 = TestRepository.Workbook.Catalog.Chapters.First(c => c.Number == 1);

    private static readonly Chapter Chapter2 = TestRepository.Workbook.Catalog.Chapters.First(c => c.Number == 2);

    // As the NUnit adapter writes it (dotnet test -- NUnit.TestOutputXml=...), trimmed to what is read.
    // The names are deliberately unlike the exercises: only the property ties a test to its exercise.
    private const string NUnitXml = """
        <?xml version="1.0" encoding="utf-8" standalone="no"?>
        <test-run id="0" name="Chapter01.Graders.dll" result="Failed">
          <test-suite type="TestFixture" name="Chapter01_Unary">
            <test-suite type="ParameterizedMethod" name="Grade">
              <test-case name="greets" result="Passed">
                <properties>
                  <property name="Exercise" value="1.1" />
                  <property name="Category" value="Chapter01" />
                </properties>
              </test-case>
              <test-case name="tells the time" result="Failed">
                <properties>
                  <property name="Exercise" value="1.2" />
                </properties>
                <failure><message><![CDATA[Exercise 1.2 (GetServerTime): the reply has no time.]]></message></failure>
              </test-case>
              <test-case name="writes" result="Skipped" label="Ignored">
                <properties>
                  <property name="Exercise" value="1.3" />
                </properties>
                <reason><message><![CDATA[Not started yet: exercise 1.3]]></message></reason>
              </test-case>
              <test-case name="1.4 ListFiles with no property" result="Passed" />
            </test-suite>
          </test-suite>
        </test-run>
        """;

    private static List<TestOutcome> Outcomes1 => Outcomes.ReadNUnitXml(NUnitXml);

    [Test]
    public void NUnit_results_give_each_exercise_its_state_by_its_property()
    {
        var results = Outcomes.ForChapter(Chapter1, Outcomes1);
        Assert.That(results.Select(r => r.Exercise.Id), Is.EqualTo(Chapter1.Exercises.Select(e => e.Id)), "One result per exercise, in order.");
        Assert.That(results[0].State, Is.EqualTo(ExerciseState.Done));
        Assert.That(results[1].State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(results[1].Message, Is.EqualTo("Exercise 1.2 (GetServerTime): the reply has no time."));
        Assert.That(results[2].State, Is.EqualTo(ExerciseState.NotStarted));
        Assert.That(results.Skip(3).Select(r => r.State), Is.All.EqualTo(ExerciseState.NotStarted),
            "An exercise with no result is not started; a test without the Exercise property counts for none, whatever its name.");
    }

    [Test]
    public void The_results_tell_which_chapter_they_grade_by_their_exercises()
    {
        var chapters = TestRepository.Workbook.Catalog.Chapters;
        Assert.That(Outcomes.ChapterOf(chapters, Outcomes1), Is.SameAs(Chapter1));
        Assert.That(Outcomes.ChapterOf(chapters, [new TestOutcome("x", "2.1", "Passed", null)]), Is.SameAs(Chapter2));
        Assert.That(Outcomes.ChapterOf(chapters, [new TestOutcome("x", "1.1", "Passed", null), new TestOutcome("y", "2.1", "Passed", null)]), Is.Null, "Two chapters: which one?");
        Assert.That(Outcomes.ChapterOf(chapters, [new TestOutcome("x", "9.9", "Passed", null)]), Is.Null, "An exercise the catalog does not have.");
        Assert.That(Outcomes.ChapterOf(chapters, [new TestOutcome("x", null, "Passed", null)]), Is.Null);
    }

    [Test]
    public void An_exercise_fails_if_any_of_its_tests_fails()
    {
        var results = Outcomes.ForChapter(Chapter1,
        [
            new TestOutcome("first", "1.1", "Passed", null),
            new TestOutcome("second", "1.1", "Failed", "wrong"),
            new TestOutcome("another exercise", "1.10", "Passed", null),
        ]);
        Assert.That(results[0].State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(results[0].Message, Is.EqualTo("wrong"));
    }

    [Test]
    public void The_verdict_line_counts_each_state()
    {
        var result = new ChapterResult(Chapter1, Outcomes.ForChapter(Chapter1, Outcomes1), []);
        Assert.That(Commands.WatchCommand.VerdictLine(result, TimeSpan.FromMilliseconds(1234)),
            Is.EqualTo("Verdict: chapter 1: 1 done, 1 failing, 6 not started (1.23 s)"));
        Assert.That(Commands.WatchCommand.VerdictLine(ChapterResult.BuildFailed(Chapter1, ["x"]), TimeSpan.FromSeconds(2)),
            Is.EqualTo("Verdict: chapter 1 does not build (2.00 s)"));
    }
}
