using StreamingTutorial.Chapter03;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter03;

namespace StreamingTutorial.Graders.Chapter03;

/// <summary>Chapter 3, client streaming. Grade it alone: dotnet test tests/Graders/Chapter03.Graders</summary>
[TestFixture]
public class Chapter03_ClientStreaming
{
    /// <summary>Your code, as the checks call it.</summary>
    private static readonly Chapter03Code<UploaderServiceImpl> Code = new(
        CreateService: root => new UploaderServiceImpl(new UploadStorage(root)),
        CreateServiceWithQuota: (root, maxFileBytes) => new UploaderServiceImpl(new UploadStorage(root, maxFileBytes)),
        UploadRandomChunksAsync: UploaderClient.UploadRandomChunksAsync,
        UploadFileAsync: UploaderClient.UploadFileAsync);

    private static IEnumerable<TestCaseData> Checks() => GraderCases.From(Chapter03Grader.Checks(Code));

    [TestCaseSource(nameof(Checks))]
    public Task Grade(Check check) => Verdict.Of(check);
}
