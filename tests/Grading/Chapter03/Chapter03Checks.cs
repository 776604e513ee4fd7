using StreamingTutorial.Grading.TestSuites;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Grading.Chapter03;

/// <summary>The code chapter 3's checks grade: the learner's, in the grader project, or the solution's, in the proofs.</summary>
/// <param name="CreateService">UploaderServiceImpl on a storage folder.</param>
/// <param name="CreateServiceWithQuota">The same, with a largest file size in bytes.</param>
public sealed record Chapter03Code<TService>(
    Func<string, TService> CreateService,
    Func<string, long, TService> CreateServiceWithQuota,
    Func<UploaderService.UploaderServiceClient, int, int, Task<UploadSummary>> UploadRandomChunksAsync,
    Func<UploaderService.UploaderServiceClient, string, IProgress<long>?, CancellationToken, Task<FileUploadSummary>> UploadFileAsync)
    where TService : UploaderService.UploaderServiceBase;

public static partial class Chapter03Grader
{
    /// <summary>Every check of chapter 3, one or more per exercise, in the catalog's order.</summary>
    public static IReadOnlyList<Check> Checks<TService>(Chapter03Code<TService> code)
        where TService : UploaderService.UploaderServiceBase =>
    [
        new(Exercises.UploadImage, "counts every chunk and byte", () => UploadImageAsync(code.CreateService)),
        new(Exercises.UploadFile, "stores the whole file or nothing", () => UploadFileAsync(code.CreateServiceWithQuota)),
        new(Exercises.UploadRandomChunksAsync, "streams the chunks under a 10 second deadline", () => UploadRandomChunksAsync(code.UploadRandomChunksAsync)),
        new(Exercises.UploadFileAsync, "sends 1 MiB chunks and reports progress", () => UploadFileClientAsync(code.UploadFileAsync)),
        new(Exercises.Tests, "catch every wrong service", () => TestSuiteGrader.GradeAsync(Exercises.Tests)),
    ];
}
