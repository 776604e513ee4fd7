using StreamingTutorial.Chapter02;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter02;

namespace StreamingTutorial.Graders.Chapter02;

/// <summary>Chapter 2, server streaming. Grade it alone: dotnet test tests/Graders/Chapter02.Graders</summary>
[TestFixture]
public class Chapter02_ServerStreaming
{
    /// <summary>Your code, as the checks call it.</summary>
    private static readonly Chapter02Code<StreamingServiceImpl, RandomServiceImpl> Code = new(
        CreateStreamingService: () => new StreamingServiceImpl(),
        CreateRandomService: () => new RandomServiceImpl(),
        ReadTimeUpdatesAsync: StreamingClient.ReadTimeUpdatesAsync,
        ReadNumbersAsync: StreamingClient.ReadNumbersAsync);

    private static IEnumerable<TestCaseData> Checks() => GraderCases.From(Chapter02Grader.Checks(Code));

    [TestCaseSource(nameof(Checks))]
    public Task Grade(Check check) => Verdict.Of(check);
}
