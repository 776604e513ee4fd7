using StreamingTutorial.Grading.TestSuites;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Grading.Chapter02;

/// <summary>The code chapter 2's checks grade: the learner's, in the grader project, or the solution's, in the proofs.</summary>
public sealed record Chapter02Code<TTimeService, TRandomService>(
    Func<TTimeService> CreateStreamingService,
    Func<TRandomService> CreateRandomService,
    Func<StreamingService.StreamingServiceClient, int, int, Action<TimeUpdate>, CancellationToken, Task> ReadTimeUpdatesAsync,
    Func<RandomService.RandomServiceClient, RandomRequest, TimeSpan, Task<IReadOnlyList<RandomNumber>>> ReadNumbersAsync)
    where TTimeService : StreamingService.StreamingServiceBase
    where TRandomService : RandomService.RandomServiceBase;

public static partial class Chapter02Grader
{
    /// <summary>Every check of chapter 2, one or more per exercise, in the catalog's order.</summary>
    public static IReadOnlyList<Check> Checks<TTimeService, TRandomService>(Chapter02Code<TTimeService, TRandomService> code)
        where TTimeService : StreamingService.StreamingServiceBase
        where TRandomService : RandomService.RandomServiceBase =>
    [
        new(Exercises.GetTimeUpdates, "streams numbered times until the client cancels", () => GetTimeUpdatesAsync(code.CreateStreamingService)),
        new(Exercises.GenerateNumbers, "streams count numbers from min to max then ends", () => GenerateNumbersAsync(code.CreateRandomService)),
        new(Exercises.ReadTimeUpdatesAsync, "stops after maxUpdates and cancels the call", () => ReadTimeUpdatesAsync(code.ReadTimeUpdatesAsync)),
        new(Exercises.ReadNumbersAsync, "returns what arrived before the deadline", () => ReadNumbersAsync(code.ReadNumbersAsync)),
        new(Exercises.Tests, "catch every wrong service", () => TestSuiteGrader.GradeAsync(Exercises.Tests)),
    ];
}
