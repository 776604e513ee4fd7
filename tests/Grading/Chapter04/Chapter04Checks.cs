using StreamingTutorial.Grading.TestSuites;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>The code chapter 4's checks grade: the learner's, in the grader project, or the solution's, in the proofs.</summary>
public sealed record Chapter04Code<TNumberService, TSensorService>(
    Func<TNumberService> CreateNumberService,
    Func<TSensorService> CreateSensorService,
    Func<NumberService.NumberServiceClient, IEnumerable<int>, Task<int>> SumAsync,
    Func<SensorService.SensorServiceClient, IAsyncEnumerable<SensorReading>, DateTime, Task<ReadingSummary>> SummarizeAsync)
    where TNumberService : NumberService.NumberServiceBase
    where TSensorService : SensorService.SensorServiceBase;

public static partial class Chapter04Grader
{
    /// <summary>Every check of chapter 4, one or more per exercise, in the catalog's order.</summary>
    public static IReadOnlyList<Check> Checks<TNumberService, TSensorService>(Chapter04Code<TNumberService, TSensorService> code)
        where TNumberService : NumberService.NumberServiceBase
        where TSensorService : SensorService.SensorServiceBase =>
    [
        new(Exercises.SumNumbers, "adds the stream and answers OUT_OF_RANGE when the sum does not fit", () => SumNumbersAsync(code.CreateNumberService)),
        new(Exercises.SummarizeReadings, "counts min max and mean and rejects NaN and infinity", () => SummarizeReadingsAsync(code.CreateSensorService)),
        new(Exercises.SumAsync, "streams every number and returns the server's sum", () => SumAsync(code.SumAsync)),
        new(Exercises.SummarizeAsync, "streams readings as they come with the deadline", () => SummarizeAsync(code.SummarizeAsync)),
        new(Exercises.Tests, "catch every wrong service", () => TestSuiteGrader.GradeAsync(Exercises.Tests)),
    ];
}
