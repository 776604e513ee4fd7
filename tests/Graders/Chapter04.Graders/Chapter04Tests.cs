using StreamingTutorial.Chapter04;
using StreamingTutorial.Grading.Chapter04;
using StreamingTutorial.Grading.TestSuites;

namespace StreamingTutorial.Graders.Chapter04;

/// <summary>Chapter 4, client streaming. Grade it alone: dotnet test tests/Graders/Chapter04.Graders</summary>
[TestFixture]
[Category("Chapter04")]
public class Chapter04_ClientStreaming
{
    [Test]
    public Task Exercise_4_1_SumNumbers_adds_the_stream_and_answers_OUT_OF_RANGE_when_the_sum_does_not_fit() =>
        Verdict.Of(() => Chapter04Grader.SumNumbersAsync(() => new NumberServiceImpl()));

    [Test]
    public Task Exercise_4_2_SummarizeReadings_counts_min_max_mean_and_rejects_NaN_and_infinity() =>
        Verdict.Of(() => Chapter04Grader.SummarizeReadingsAsync(() => new SensorServiceImpl()));

    [Test]
    public Task Exercise_4_3_SumAsync_streams_every_number_and_returns_the_servers_sum() =>
        Verdict.Of(() => Chapter04Grader.SumAsync(NumbersClient.SumAsync));

    [Test]
    public Task Exercise_4_4_SummarizeAsync_streams_readings_as_they_come_with_the_deadline() =>
        Verdict.Of(() => Chapter04Grader.SummarizeAsync(NumbersClient.SummarizeAsync));

    [Test]
    public Task Exercise_4_T_your_tests_catch_every_wrong_service() =>
        Verdict.Of(() => TestSuiteGrader.GradeAsync("4.T"));
}
