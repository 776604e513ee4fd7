using StreamingTutorial.Chapter01;
using StreamingTutorial.Grading.Chapter01;
using StreamingTutorial.Grading.TestSuites;

namespace StreamingTutorial.Graders.Chapter01;

/// <summary>Chapter 1, unary calls. Grade it alone: dotnet test tests/Graders/Chapter01.Graders</summary>
[TestFixture]
[Category("Chapter01")]
public class Chapter01_Unary
{
    private static FileServiceImpl CreateService(string root) => new(new FileStorage(root));

    [Test]
    public Task Exercise_1_1_SayHello_greets_by_name_and_rejects_a_blank_name() =>
        Verdict.Of(() => Chapter01Grader.SayHelloAsync(CreateService));

    [Test]
    public Task Exercise_1_2_GetServerTime_answers_with_the_current_UTC_time() =>
        Verdict.Of(() => Chapter01Grader.GetServerTimeAsync(CreateService));

    [Test]
    public Task Exercise_1_3_WriteFile_stores_the_file_and_rejects_unsafe_names() =>
        Verdict.Of(() => Chapter01Grader.WriteFileAsync(CreateService));

    [Test]
    public Task Exercise_1_4_ListFiles_lists_each_file_with_its_size_by_name() =>
        Verdict.Of(() => Chapter01Grader.ListFilesAsync(CreateService));

    [Test]
    public Task Exercise_1_5_GreetAsync_returns_the_servers_greeting() =>
        Verdict.Of(() => Chapter01Grader.GreetAsync(FileClient.GreetAsync));

    [Test]
    public Task Exercise_1_6_GetServerTimeAsync_uses_a_5_second_deadline() =>
        Verdict.Of(() => Chapter01Grader.GetServerTimeClientAsync(FileClient.GetServerTimeAsync));

    [Test]
    public Task Exercise_1_7_WriteAndListAsync_writes_then_lists() =>
        Verdict.Of(() => Chapter01Grader.WriteAndListAsync(FileClient.WriteAndListAsync));

    [Test]
    public Task Exercise_1_T_your_tests_catch_every_wrong_service() =>
        Verdict.Of(() => TestSuiteGrader.GradeAsync("1.T"));
}
