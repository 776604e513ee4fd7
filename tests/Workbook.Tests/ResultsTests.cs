using StreamingTutorial.Workbook.Watch;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>Both ways of grading (TRX from dotnet test, NUnit's XML in watch) end in the same exercise states.</summary>
[TestFixture]
public class ResultsTests
{
    private static readonly Chapter Chapter1 = TestRepository.Workbook.Catalog.Chapters.First(c => c.Number == 1);

    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testName="Exercise_1_1_SayHello_greets_by_name_and_rejects_a_blank_name" outcome="Passed" />
            <UnitTestResult testName="Exercise_1_2_GetServerTime_answers_with_the_current_UTC_time" outcome="Failed">
              <Output><ErrorInfo><Message>Exercise 1.2 (GetServerTime): the reply has no time.</Message></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testName="Exercise_1_3_WriteFile_stores_the_file_and_rejects_unsafe_names" outcome="NotExecuted">
              <Output><ErrorInfo><Message>Not started yet: exercise 1.3</Message></ErrorInfo></Output>
            </UnitTestResult>
          </Results>
        </TestRun>
        """;

    private const string NUnitXml = """
        <test-run>
          <test-suite type="TestFixture" name="Chapter01_Unary">
            <test-case name="Exercise_1_1_SayHello_greets_by_name_and_rejects_a_blank_name" result="Passed" />
            <test-case name="Exercise_1_2_GetServerTime_answers_with_the_current_UTC_time" result="Failed">
              <failure><message><![CDATA[Exercise 1.2 (GetServerTime): the reply has no time.]]></message></failure>
            </test-case>
            <test-case name="Exercise_1_3_WriteFile_stores_the_file_and_rejects_unsafe_names" result="Skipped" label="Ignored">
              <reason><message><![CDATA[Not started yet: exercise 1.3]]></message></reason>
            </test-case>
          </test-suite>
        </test-run>
        """;

    private static void AssertStates(List<ExerciseResult> results)
    {
        Assert.That(results.Select(r => r.Exercise.Id), Is.EqualTo(Chapter1.Exercises.Select(e => e.Id)), "One result per exercise, in order.");
        Assert.That(results[0].State, Is.EqualTo(ExerciseState.Done));
        Assert.That(results[1].State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(results[1].Message, Is.EqualTo("Exercise 1.2 (GetServerTime): the reply has no time."));
        Assert.That(results[2].State, Is.EqualTo(ExerciseState.NotStarted));
        Assert.That(results.Skip(3).Select(r => r.State), Is.All.EqualTo(ExerciseState.NotStarted), "An exercise with no result is not started.");
    }

    [Test]
    public void A_TRX_file_gives_each_exercise_its_state() => AssertStates(Outcomes.ForChapter(Chapter1, Grader.ReadTrx(System.Xml.Linq.XDocument.Parse(Trx))));

    [Test]
    public void A_TRX_file_tells_which_chapter_it_grades()
    {
        var trx = System.Xml.Linq.XDocument.Parse("""
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <TestDefinitions>
                <UnitTest name="Exercise_2_1_x" storage="/home/ada/streamingtutorial/tests/graders/chapter02.graders/bin/debug/net10.0/chapter02.graders.dll" />
              </TestDefinitions>
            </TestRun>
            """);
        Assert.That(Grader.ChapterOf(trx), Is.EqualTo(2));
        Assert.That(Grader.ChapterOf(System.Xml.Linq.XDocument.Parse(Trx)), Is.Null);
    }

    [Test]
    public void NUnit_results_give_the_same_states() => AssertStates(Outcomes.ForChapter(Chapter1, GradingWorker.ReadResults(NUnitXml)));

    [Test]
    public void An_exercise_fails_if_any_of_its_tests_fails()
    {
        var results = Outcomes.ForChapter(Chapter1,
        [
            new TestOutcome("Exercise_1_1_first", "Passed", null),
            new TestOutcome("Exercise_1_1_second", "Failed", "wrong"),
            new TestOutcome("Exercise_1_10_is_not_1_1", "Passed", null),
        ]);
        Assert.That(results[0].State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(results[0].Message, Is.EqualTo("wrong"));
    }

    [Test]
    public void The_verdict_line_counts_each_state()
    {
        var result = new ChapterResult(Chapter1, Outcomes.ForChapter(Chapter1, Grader.ReadTrx(System.Xml.Linq.XDocument.Parse(Trx))), []);
        Assert.That(Commands.WatchCommand.VerdictLine(result, TimeSpan.FromMilliseconds(1234)),
            Is.EqualTo("Verdict: chapter 1: 1 done, 1 failing, 6 not started (1.23 s)"));
        Assert.That(Commands.WatchCommand.VerdictLine(ChapterResult.BuildFailed(Chapter1, ["x"]), TimeSpan.FromSeconds(2)),
            Is.EqualTo("Verdict: chapter 1 does not build (2.00 s)"));
    }
}
