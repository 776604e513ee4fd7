using StreamingTutorial.Chapter04;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter04;

namespace StreamingTutorial.Graders.Chapter04;

/// <summary>Chapter 4, client streaming. Grade it alone: dotnet test tests/Graders/Chapter04.Graders</summary>
[TestFixture]
public class Chapter04_ClientStreaming
{
    /// <summary>Your code, as the checks call it.</summary>
    private static readonly Chapter04Code<NumberServiceImpl, SensorServiceImpl> Code = new(
        CreateNumberService: () => new NumberServiceImpl(),
        CreateSensorService: () => new SensorServiceImpl(),
        SumAsync: NumbersClient.SumAsync,
        SummarizeAsync: NumbersClient.SummarizeAsync);

    private static IEnumerable<TestCaseData> Checks() => GraderCases.From(Chapter04Grader.Checks(Code));

    [TestCaseSource(nameof(Checks))]
    public Task Grade(Check check) => Verdict.Of(check);
}
