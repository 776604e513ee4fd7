using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;

namespace StreamingTutorial.Grading.TestSuites;

/// <summary>How a learner's suite did: its run on the reference service, and on each wrong one.</summary>
public sealed record SuiteReport(SuiteRun Reference, IReadOnlyList<(WrongService Service, SuiteRun Run)> WrongServices)
{
    /// <summary>Where the time went: compiling, the reference run, the wrong services' runs.</summary>
    public string Timings { get; init; } = "";

    public IEnumerable<WrongService> Missed => WrongServices.Where(w => w.Run.AllPassed).Select(w => w.Service);

    /// <summary>Which tests failed on each wrong service (for the teacher's notes), one line each.</summary>
    public IEnumerable<string> Catches => WrongServices.Select(w =>
        $"{w.Service.Bug}: " + (w.Run.TimedOut ? "the suite did not finish" : w.Run.Error ?? string.Join(", ", w.Run.Failed.Select(t => $"{t.Name} ({FirstLine(t.Message)})"))));

    private static string FirstLine(string? message) => (message ?? "").Split('\n')[0].Trim();
}

/// <summary>
/// Grades a learner's tests by the bugs they catch. The tests are compiled in-process and run
/// first against the reference solution (every test must pass: no false alarms, and they must
/// assert something), then against each wrong service of the chapter: a wrong service is caught
/// when at least one test fails on it.
/// </summary>
public static class TestSuiteGrader
{
    private static readonly ConcurrentDictionary<string, Lazy<Compiled>> Builds = new();

    public static string Root { get; } =
        WorkbookPaths.FindRootFrom(AppContext.BaseDirectory) ?? WorkbookPaths.FindRootFrom(InProcessCompiler.GraderBin)
        ?? throw new DirectoryNotFoundException($"No {WorkbookPaths.SolutionFile} above the grader's folder.");

    /// <summary>Grades chapters/NN-x.Tests (or <paramref name="testsFolder"/>, for the proofs) for exercise N.T.</summary>
    /// <exception cref="NotStartedException">The starter's TODO test is still there.</exception>
    /// <exception cref="GradingFailure">Compile errors, a false alarm, no assertion, or a bug not caught.</exception>
    public static async Task<SuiteReport> GradeAsync(Exercise exercise, string? testsFolder = null)
    {
        var chapter = ChapterCatalog.Current.ChapterOf(exercise);
        var wrongServices = WrongServices.For(chapter);
        var where = WorkbookPaths.Relative.ChapterTestsFolder(chapter);
        testsFolder ??= Path.Combine(Root, where);

        var tests = SourceProject.Read(testsFolder, $"{chapter.Folder}.Tests");
        if (tests.Files.Count == 0 || tests.Files.Any(f => f.Text.Contains($"NotImplementedException(\"{exercise.Todo}", StringComparison.Ordinal)))
        {
            throw NotStartedException.For(exercise);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var solution = SourceProject.Read(new WorkbookPaths(Root).SolutionFolder(chapter));
        var reference = Build(chapter, solution, null);
        var compiledTests = CompileTests(tests, solution.AssemblyName, reference.Path!);
        if (!compiledTests.Succeeded)
        {
            throw Failure(exercise, where, "your tests do not compile.", string.Join("\n            ", compiledTests.Errors),
                "Fix the first error; the tests call the chapter's classes by the starter's names.");
        }

        var compiling = clock.Elapsed;
        var referenceRun = await SuiteRunner.RunAsync(compiledTests.Path!, reference.Path!);
        var referenceDone = clock.Elapsed;
        CheckReferenceRun(exercise, where, referenceRun);

        // The wrong services run side by side: a suite spends most of its time waiting (for a
        // stream's next message, a time-out that proves nothing more comes), not computing.
        var builds = wrongServices.Select(w => (Service: w, Build: Build(chapter, solution, w))).ToList();
        var results = await Task.WhenAll(builds.Select(b => SuiteRunner.RunAsync(compiledTests.Path!, b.Build.Path!)));
        var runs = builds.Select((b, i) => (b.Service, results[i])).ToList();
        var report = new SuiteReport(referenceRun, runs)
        {
            Timings = $"compile {compiling.TotalSeconds:0.0} s, reference run {(referenceDone - compiling).TotalSeconds:0.0} s, "
                + $"{runs.Count} wrong services {(clock.Elapsed - referenceDone).TotalSeconds:0.0} s, total {clock.Elapsed.TotalSeconds:0.0} s",
        };
        var missed = report.Missed.ToList();
        if (missed.Count > 0)
        {
            var caught = wrongServices.Count - missed.Count;
            throw Failure(exercise, where, $"your tests caught {caught} of {wrongServices.Count} bugs.",
                string.Join("\n            ", missed.Select(m => m.Bug)),
                missed[0].Hint);
        }
        return report;
    }

    private static void CheckReferenceRun(Exercise exercise, string where, SuiteRun run)
    {
        if (run.TimedOut)
        {
            throw Failure(exercise, where, $"your tests did not finish within {SuiteRunner.Timeout.TotalSeconds:0} s against the reference service.", "(none)",
                "A test that waits for a message should wait with a time-out (ReadNextAsync does), and a test of a stream that never ends should cancel it.");
        }
        if (run.Error is not null)
        {
            throw Failure(exercise, where, $"your tests could not be run: {run.Error}", "(none)", "Each test class needs [TestFixture] or [Test] methods NUnit can create.");
        }
        if (run.Tests.Count == 0)
        {
            throw Failure(exercise, where, "there are no tests to run.", "(none)", "Mark each test method with [Test].");
        }
        var falseAlarms = run.Failed.ToList();
        if (falseAlarms.Count > 0)
        {
            var first = falseAlarms[0];
            throw new GradingFailure(new StringBuilder()
                .AppendLine($"Exercise {exercise.Id} ({exercise.Name}, {where}): {(falseAlarms.Count == 1 ? "one of your tests fails" : $"{falseAlarms.Count} of your tests fail")} against the reference service, which is correct.")
                .AppendLine($"  Test:     {first.Name}")
                .AppendLine($"  Failure:  {FirstLines(first.Message)}")
                .Append("  Hint:     a test must pass on correct code, or its failures mean nothing. Check what the test expects against the book and the task sheet.")
                .ToString());
        }
        if (run.Tests.Sum(t => t.Asserts) == 0)
        {
            throw new GradingFailure(new StringBuilder()
                .AppendLine($"Exercise {exercise.Id} ({exercise.Name}, {where}): your tests assert nothing, so they catch no bug: a test without an Assert passes whatever the service does.")
                .Append("  Hint:     end each test with Assert.That(actual, Is.EqualTo(expected)) on what the service answered, or Assert.ThrowsAsync<RpcException> for a call that must fail.")
                .ToString());
        }
    }

    private static GradingFailure Failure(Exercise exercise, string where, string problem, string missed, string hint) =>
        new(new StringBuilder()
            .AppendLine($"Exercise {exercise.Id} ({exercise.Name}, {where}): {problem}")
            .AppendLine($"  {(problem.Contains("bugs", StringComparison.Ordinal) ? "Missed:" : "Errors:")}   {missed}")
            .Append($"  Hint:     {hint}")
            .ToString());

    private static string FirstLines(string? message) =>
        string.Join("\n            ", (message ?? "(no message)").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).Take(4));

    /// <summary>
    /// The solution, or the solution with one wrong service's members put in, compiled once per
    /// process and kept on disk (by a hash of what goes in), so a warm grading compiles nothing but the tests.
    /// </summary>
    private static Compiled Build(Chapter chapter, SourceProject solution, WrongService? wrong)
    {
        var patchPath = wrong is null ? null : WrongServices.PathOf(Root, chapter, wrong);
        var patchText = patchPath is null ? "" : File.ReadAllText(patchPath);
        var hash = Hash(solution, patchText);
        var compiled = Builds.GetOrAdd(hash, _ => new Lazy<Compiled>(() =>
        {
            var folder = Path.Combine(Path.GetTempPath(), "streamingtutorial-test-grading", hash);
            var path = Path.Combine(folder, solution.AssemblyName + ".dll");
            if (File.Exists(path))
            {
                return new Compiled(path, []);
            }
            var trees = solution.Parse(InProcessCompiler.ParseOptions).ToList();
            if (patchPath is not null)
            {
                trees = WrongService.Apply(trees, patchText, patchPath).ToList();
            }
            // Written to a folder of its own first, then moved: a parallel grading never sees half a file.
            var staging = folder + "." + Guid.NewGuid().ToString("N")[..8];
            var result = InProcessCompiler.Compile(solution, trees, staging, leftOut: GrpcCoreAssemblies);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"{(wrong is null ? "The solution" : patchPath)} does not compile: {string.Join("; ", result.Errors)}");
            }
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException)
            {
                // Another grading got there first; its build is the same.
            }
            return new Compiled(path, []);
        }));
        return compiled.Value;
    }

    // The chapters use System.Threading.Channels; the old Grpc.Core's Channel would make "Channel" ambiguous.
    private static readonly HashSet<string> GrpcCoreAssemblies = new(["Grpc.Core", "Grpc.Core.Testing"], StringComparer.OrdinalIgnoreCase);

    private static string Hash(SourceProject solution, string patchText)
    {
        var text = new StringBuilder(typeof(TestSuiteGrader).Assembly.ManifestModule.ModuleVersionId.ToString());
        foreach (var (path, content) in solution.Files)
        {
            text.Append('\0').Append(Path.GetRelativePath(solution.Folder, path)).Append('\0').Append(content);
        }
        text.Append('\0').Append(patchText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..20];
    }

    /// <summary>
    /// The learner's tests, compiled against the reference build; kept by a hash of their sources,
    /// so grading them again unchanged (dotnet test, the progress command) compiles nothing.
    /// </summary>
    private static Compiled CompileTests(SourceProject tests, string chapterAssembly, string referencePath)
    {
        var text = new StringBuilder(referencePath).Append('\0').Append(tests.AssemblyName);
        foreach (var (file, content) in tests.Files)
        {
            text.Append('\0').Append(Path.GetRelativePath(tests.Folder, file)).Append('\0').Append(content);
        }
        text.Append('\0').AppendJoin(';', tests.GlobalUsings);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..20];
        var folder = Path.Combine(Path.GetTempPath(), "streamingtutorial-test-grading", "tests-" + hash);
        var path = Path.Combine(folder, tests.AssemblyName + ".dll");
        if (File.Exists(path))
        {
            return new Compiled(path, []);
        }
        var staging = RunFolder();
        var compiled = InProcessCompiler.Compile(tests, tests.Parse(InProcessCompiler.ParseOptions).ToList(), staging,
            new Dictionary<string, string> { [chapterAssembly] = referencePath });
        if (!compiled.Succeeded)
        {
            return compiled;
        }
        try
        {
            Directory.Move(staging, folder);
            return new Compiled(path, []);
        }
        catch (IOException)
        {
            // Compiled at the same time by another grading, or left locked: use this run's copy.
            return compiled;
        }
    }

    private static string RunFolder()
    {
        var parent = Path.Combine(Path.GetTempPath(), "streamingtutorial-test-grading", "runs");
        Directory.CreateDirectory(parent);
        foreach (var old in Directory.EnumerateDirectories(parent).Where(d => Directory.GetCreationTimeUtc(d) < DateTime.UtcNow.AddHours(-1)))
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Still loaded somewhere; a later grading removes it.
            }
        }
        return Path.Combine(parent, Guid.NewGuid().ToString("N")[..12]);
    }

}
