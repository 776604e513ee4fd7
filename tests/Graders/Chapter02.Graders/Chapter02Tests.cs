using StreamingTutorial.Chapter02;
using StreamingTutorial.Grading.Chapter02;
using StreamingTutorial.Grading.TestSuites;

namespace StreamingTutorial.Graders.Chapter02;

/// <summary>Chapter 2, server streaming. Grade it alone: dotnet test tests/Graders/Chapter02.Graders</summary>
[TestFixture]
[Category("Chapter02")]
public class Chapter02_ServerStreaming
{
    [Test]
    public Task Exercise_2_1_GetTimeUpdates_streams_numbered_times_until_the_client_cancels() =>
        Verdict.Of(() => Chapter02Grader.GetTimeUpdatesAsync(() => new StreamingServiceImpl()));

    [Test]
    public Task Exercise_2_2_GenerateNumbers_streams_count_numbers_from_min_to_max_then_ends() =>
        Verdict.Of(() => Chapter02Grader.GenerateNumbersAsync(() => new RandomServiceImpl()));

    [Test]
    public Task Exercise_2_3_ReadTimeUpdatesAsync_stops_after_maxUpdates_and_cancels_the_call() =>
        Verdict.Of(() => Chapter02Grader.ReadTimeUpdatesAsync(StreamingClient.ReadTimeUpdatesAsync));

    [Test]
    public Task Exercise_2_4_ReadNumbersAsync_returns_what_arrived_before_the_deadline() =>
        Verdict.Of(() => Chapter02Grader.ReadNumbersAsync(StreamingClient.ReadNumbersAsync));

    [Test]
    public Task Exercise_2_T_your_tests_catch_every_wrong_service() =>
        Verdict.Of(() => TestSuiteGrader.GradeAsync("2.T"));
}
