using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;

namespace StreamingTutorial.Grading.TestSuites;

/// <summary>One test's result in one run of a learner's suite.</summary>
/// <param name="Asserts">How many assertions NUnit counted in it.</param>
public sealed record SuiteTest(string Name, bool Passed, string? Message, int Asserts);

/// <summary>A learner's suite run against one build of the chapter.</summary>
/// <param name="TimedOut">The suite did not finish in time; <see cref="Tests"/> is then empty.</param>
public sealed record SuiteRun(IReadOnlyList<SuiteTest> Tests, bool TimedOut, string? Error)
{
    public bool AllPassed => !TimedOut && Error is null && Tests.Count > 0 && Tests.All(t => t.Passed);

    public IEnumerable<SuiteTest> Failed => Tests.Where(t => !t.Passed);
}

/// <summary>
/// Runs a compiled test assembly with NUnit's own runner, in-process, against a chosen build of
/// the chapter: the tests are loaded in a load context of their own that resolves the chapter's
/// assembly name to that build, so "new FileServiceImpl(...)" in a test makes the reference
/// service in one run and a wrong one in the next. The context has its own copy of NUnit, so
/// the suite's results and assertion counts stay apart from the NUnit run that hosts the grader.
/// </summary>
public static class SuiteRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    static SuiteRunner()
    {
        // Tests wait on timers and streams; with a few suites at once, the default minimum
        // (one thread per core) makes their continuations queue up behind each other.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
    }

    public static async Task<SuiteRun> RunAsync(string testsPath, string chapterPath)
    {
        var context = new SuiteContext(testsPath, chapterPath, NUnitContext.For(InProcessCompiler.GraderBin));
        try
        {
            // A thread of its own: NUnit blocks the thread it runs on while async tests wait, and
            // several suites blocking pool threads at once would starve the continuations they wait for.
            var done = new TaskCompletionSource<SuiteRun>(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() => done.SetResult(Run(context, testsPath))) { IsBackground = true, Name = "learner's tests" }.Start();
            var run = done.Task;
            try
            {
                return await run.WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                // The suite waits for something that never happens: this build does not pass it.
                return new SuiteRun([], true, null);
            }
        }
        finally
        {
            context.Unload();
        }
    }

    private static SuiteRun Run(SuiteContext context, string testsPath)
    {
        try
        {
            var tests = context.LoadFromAssemblyPath(testsPath);
            var nunit = tests.GetReferencedAssemblies().FirstOrDefault(a => a.Name == "nunit.framework") is { } reference
                ? context.LoadFromAssemblyName(reference)
                : throw new InvalidOperationException("The tests do not use NUnit: they need [Test] methods from NUnit.Framework.");
            var controllerType = nunit.GetType("NUnit.Framework.Api.FrameworkController", throwOnError: true)!;
            var settings = new Dictionary<string, object> { ["WorkDirectory"] = Path.GetTempPath() };
            var controller = Activator.CreateInstance(controllerType, tests, "0-", (IDictionary)settings)!;
            controllerType.GetMethod("LoadTests", Type.EmptyTypes)!.Invoke(controller, null);
            var xml = (string)controllerType.GetMethod("RunTests", [typeof(string)])!.Invoke(controller, ["<filter/>"])!;
            return new SuiteRun(ReadResults(xml), false, null);
        }
        catch (Exception ex)
        {
            return new SuiteRun([], false, (ex is TargetInvocationException { InnerException: { } inner } ? inner : ex).Message);
        }
    }

    private static List<SuiteTest> ReadResults(string xml) =>
        XDocument.Parse(xml).Descendants("test-case")
            .Select(c => new SuiteTest(
                (string?)c.Attribute("name") ?? "",
                (string?)c.Attribute("result") == "Passed",
                c.Element("failure")?.Element("message")?.Value?.Trim() ?? c.Element("reason")?.Element("message")?.Value?.Trim(),
                int.TryParse((string?)c.Attribute("asserts"), out var asserts) ? asserts : 0))
            .ToList();

    /// <summary>The suite and the chapter build under test; NUnit from a context of its own; everything else is shared with the grader.</summary>
    private sealed class SuiteContext(string testsPath, string chapterPath, NUnitContext nunit)
        : AssemblyLoadContext("learner's tests", isCollectible: true)
    {
        private readonly string testsName = Path.GetFileNameWithoutExtension(testsPath);
        private readonly string chapterName = Path.GetFileNameWithoutExtension(chapterPath);

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == chapterName)
            {
                return LoadFromAssemblyPath(chapterPath);
            }
            if (name.Name == testsName)
            {
                return LoadFromAssemblyPath(testsPath);
            }
            return nunit.Resolve(name);
        }
    }

    /// <summary>
    /// A second copy of NUnit, loaded once per process and shared by every run of a learner's
    /// suite: apart from the NUnit that runs the grader (its own assertion counts and results),
    /// and loaded and compiled once rather than for each wrong service.
    /// </summary>
    private sealed class NUnitContext(string folder) : AssemblyLoadContext("NUnit for learners' tests")
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NUnitContext> Contexts = new(StringComparer.Ordinal);

        public static NUnitContext For(string folder) => Contexts.GetOrAdd(folder, f => new NUnitContext(f));

        public Assembly? Resolve(AssemblyName name) =>
            name.Name is not null && name.Name.StartsWith("nunit.framework", StringComparison.OrdinalIgnoreCase) ? LoadFromAssemblyName(name) : null;

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name is null || !name.Name.StartsWith("nunit.framework", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            var path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
