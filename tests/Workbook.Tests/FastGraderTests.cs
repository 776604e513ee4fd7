using StreamingTutorial.Grading;
using StreamingTutorial.Workbook.Watch;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>
/// watch's fast grading: chapter 1 compiled in-process and graded by the chapter's own grader
/// tests in the worker. The chapter's files are given as the reference solution, with
/// deliberate changes, so these tests do not depend on the learner's work.
/// </summary>
[TestFixture]
[NonParallelizable]
public class FastGraderTests
{
    private static readonly Chapter Chapter1 = TestRepository.Workbook.Catalog.Chapter(1);

    private static readonly Exercise SayHello = Chapter1.Exercise("SayHello");
    private FastGrader grader = null!;

    [OneTimeSetUp]
    public void StartGrader() =>
        // The graders' dependencies are in this project's output (see the project file): no build needed.
        grader = new FastGrader(TestRepository.Root, new FastGraderOptions { Dependencies = TestContext.CurrentContext.TestDirectory });

    [OneTimeTearDown]
    public async Task StopGrader() => await grader.DisposeAsync();

    /// <summary>The chapter's files as the solution has them, with one file changed.</summary>
    private static Func<string, string?> Solution(string? file = null, Func<string, string>? change = null) => path =>
    {
        var relative = Path.GetRelativePath(TestRepository.Workbook.Paths.ChapterFolder(Chapter1), path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
        {
            return null;
        }
        // A file of the learner's that the solution does not have is left out (an empty file).
        var solution = Path.Combine(TestRepository.Workbook.Paths.SolutionFolder(Chapter1), relative);
        var text = File.Exists(solution) ? File.ReadAllText(solution) : "";
        return relative == file && change is not null ? change(text) : text;
    };

    private Task<ChapterResult> GradeAsync(Func<string, string?> files) => grader.GradeAsync(Chapter1, CancellationToken.None, files);

    /// <summary>The exercises of the chapter's code; its test exercise (1.T) grades chapters/01-unary.Tests, which these tests do not give.</summary>
    private static IEnumerable<ExerciseResult> CodeExercises(ChapterResult result) => result.Exercises.Where(e => e.Exercise.Side != ExerciseLookup.TestsSide);

    [Test]
    public async Task The_solution_passes_every_exercise()
    {
        var result = await GradeAsync(Solution());
        Assert.That(result.BuildErrors, Is.Empty);
        Assert.That(result.Exercises, Has.Count.EqualTo(Chapter1.Exercises.Count));
        Assert.That(CodeExercises(result).Select(e => e.State), Is.All.EqualTo(ExerciseState.Done));
    }

    [Test]
    public async Task A_wrong_answer_fails_with_the_graders_message()
    {
        var result = await GradeAsync(Solution("FileServiceImpl.cs", text => text.Replace("$\"Hello, {request.Name}!\"", "$\"Hi, {request.Name}!\"")));
        var sayHello = result.Exercises.Single(e => e.Exercise == SayHello);
        Assert.That(sayHello.State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(sayHello.Message, Does.Contain("Expected: message \"Hello, Ada!\"").And.Contain("Actual:   message \"Hi, Ada!\""));
        Assert.That(CodeExercises(result).Where(e => e.Exercise != SayHello).Select(e => e.State), Is.All.EqualTo(ExerciseState.Done));
    }

    [Test]
    public async Task An_untouched_TODO_is_not_started_unless_the_classroom_switch_is_on()
    {
        static string Untouched(string text)
        {
            var start = text.IndexOf("public override Task<HelloReply> SayHello", StringComparison.Ordinal);
            var body = text.IndexOf('{', start);
            var end = text.IndexOf("\n    }", body, StringComparison.Ordinal);
            return text[..(body + 1)] + $"\n        throw new NotImplementedException(\"{SayHello.Todo}: {SayHello.Name}\");" + text[end..];
        }
        var result = await GradeAsync(Solution("FileServiceImpl.cs", Untouched));
        Assert.That(result.Exercises.Single(e => e.Exercise == SayHello).State, Is.EqualTo(ExerciseState.NotStarted));

        await using var strict = new FastGrader(TestRepository.Root, new FastGraderOptions
        {
            Dependencies = TestContext.CurrentContext.TestDirectory,
            WorkerEnvironment = new Dictionary<string, string> { ["WORKBOOK_NOT_STARTED"] = "fail" },
        });
        var strictResult = await strict.GradeAsync(Chapter1, CancellationToken.None, Solution("FileServiceImpl.cs", Untouched));
        var sayHello = strictResult.Exercises.Single(e => e.Exercise == SayHello);
        Assert.That(sayHello.State, Is.EqualTo(ExerciseState.Failing));
        Assert.That(sayHello.Message, Does.Contain($"Not started yet: exercise {SayHello.Id}"));
    }

    [Test]
    public async Task A_compile_error_is_shown_as_file_line_and_message()
    {
        var result = await GradeAsync(Solution("FileClient.cs", text => text.Replace("return reply.Message;", "return reply.Message")));
        Assert.That(result.Builds, Is.False);
        Assert.That(result.BuildErrors, Has.Some.Match(@"^chapters/01-unary/FileClient\.cs:\d+: error CS1002: ; expected$"));
    }

    [Test]
    public async Task Changing_a_signature_the_grader_calls_is_a_build_error_too()
    {
        // The chapter itself still compiles (the demo creates the service through dependency injection); the grader calls the constructor.
        var result = await GradeAsync(Solution("FileServiceImpl.cs", text => text.Replace("FileServiceImpl(FileStorage storage)", "FileServiceImpl(FileStorage storage, int retries)")));
        Assert.That(result.Builds, Is.False);
        Assert.That(result.BuildErrors, Has.Some.Contains("Chapter01Tests.cs").And.Some.Contains("keep those as they were"));
    }

    [Test]
    public async Task Code_that_crashes_the_process_is_reported_and_grading_carries_on()
    {
        var crash = await GradeAsync(Solution("FileServiceImpl.cs", text => text.Replace(
            "public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)\n    {",
            "public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)\n    {\n        Environment.Exit(3);")));
        Assert.That(crash.Problem, Is.EqualTo("could not be graded"));
        Assert.That(crash.BuildErrors.Single(), Does.Contain("exit code 3"));

        var after = await GradeAsync(Solution());
        Assert.That(CodeExercises(after).Select(e => e.State), Is.All.EqualTo(ExerciseState.Done), "A new worker takes over.");
    }
}
