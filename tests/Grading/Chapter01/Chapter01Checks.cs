using StreamingTutorial.Grading.TestSuites;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Grading.Chapter01;

/// <summary>The code chapter 1's checks grade: the learner's, in the grader project, or the solution's, in the proofs.</summary>
/// <param name="CreateService">FileServiceImpl on a storage folder.</param>
public sealed record Chapter01Code<TService>(
    Func<string, TService> CreateService,
    Func<FileService.FileServiceClient, string, Task<string>> GreetAsync,
    Func<FileService.FileServiceClient, Task<DateTime>> GetServerTimeAsync,
    Func<FileService.FileServiceClient, string, string, Task<IReadOnlyList<string>>> WriteAndListAsync)
    where TService : FileService.FileServiceBase;

public static partial class Chapter01Grader
{
    /// <summary>Every check of chapter 1, one or more per exercise, in the catalog's order.</summary>
    public static IReadOnlyList<Check> Checks<TService>(Chapter01Code<TService> code)
        where TService : FileService.FileServiceBase =>
    [
        new(Exercises.SayHello, "greets by name and rejects a blank name", () => SayHelloAsync(code.CreateService)),
        new(Exercises.GetServerTime, "answers with the current UTC time", () => GetServerTimeAsync(code.CreateService)),
        new(Exercises.WriteFile, "stores the file and rejects unsafe names", () => WriteFileAsync(code.CreateService)),
        new(Exercises.ListFiles, "lists each file with its size by name", () => ListFilesAsync(code.CreateService)),
        new(Exercises.GreetAsync, "returns the server's greeting", () => GreetAsync(code.GreetAsync)),
        new(Exercises.GetServerTimeAsync, "uses a 5 second deadline", () => GetServerTimeClientAsync(code.GetServerTimeAsync)),
        new(Exercises.WriteAndListAsync, "writes then lists", () => WriteAndListAsync(code.WriteAndListAsync)),
        new(Exercises.Tests, "catch every wrong service", () => TestSuiteGrader.GradeAsync(Exercises.Tests)),
    ];
}
