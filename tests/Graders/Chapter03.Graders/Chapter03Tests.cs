using StreamingTutorial.Chapter03;
using StreamingTutorial.Grading.Chapter03;
using StreamingTutorial.Grading.TestSuites;

namespace StreamingTutorial.Graders.Chapter03;

/// <summary>Chapter 3, client streaming. Grade it alone: dotnet test tests/Graders/Chapter03.Graders</summary>
[TestFixture]
[Category("Chapter03")]
public class Chapter03_ClientStreaming
{
    private static UploaderServiceImpl CreateService(string root) => new(new UploadStorage(root));

    private static UploaderServiceImpl CreateServiceWithQuota(string root, long maxFileBytes) => new(new UploadStorage(root, maxFileBytes));

    [Test]
    public Task Exercise_3_1_UploadImage_counts_every_chunk_and_byte() =>
        Verdict.Of(() => Chapter03Grader.UploadImageAsync(CreateService));

    [Test]
    public Task Exercise_3_2_UploadFile_stores_the_whole_file_or_nothing() =>
        Verdict.Of(() => Chapter03Grader.UploadFileAsync(CreateServiceWithQuota));

    [Test]
    public Task Exercise_3_3_UploadRandomChunksAsync_streams_the_chunks_under_a_10_second_deadline() =>
        Verdict.Of(() => Chapter03Grader.UploadRandomChunksAsync(UploaderClient.UploadRandomChunksAsync));

    [Test]
    public Task Exercise_3_4_UploadFileAsync_sends_1_MiB_chunks_and_reports_progress() =>
        Verdict.Of(() => Chapter03Grader.UploadFileClientAsync(UploaderClient.UploadFileAsync));

    [Test]
    public Task Exercise_3_T_your_tests_catch_every_wrong_service() =>
        Verdict.Of(() => TestSuiteGrader.GradeAsync("3.T"));
}
