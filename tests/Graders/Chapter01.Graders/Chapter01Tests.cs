using StreamingTutorial.Chapter01;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter01;

namespace StreamingTutorial.Graders.Chapter01;

/// <summary>Chapter 1, unary calls. Grade it alone: dotnet test tests/Graders/Chapter01.Graders</summary>
[TestFixture]
public class Chapter01_Unary
{
    /// <summary>Your code, as the checks call it.</summary>
    private static readonly Chapter01Code<FileServiceImpl> Code = new(
        CreateService: root => new FileServiceImpl(new FileStorage(root)),
        GreetAsync: FileClient.GreetAsync,
        GetServerTimeAsync: FileClient.GetServerTimeAsync,
        WriteAndListAsync: FileClient.WriteAndListAsync);

    private static IEnumerable<TestCaseData> Checks() => GraderCases.From(Chapter01Grader.Checks(Code));

    [TestCaseSource(nameof(Checks))]
    public Task Grade(Check check) => Verdict.Of(check);
}
