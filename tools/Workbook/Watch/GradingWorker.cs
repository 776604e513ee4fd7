using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;

namespace StreamingTutorial.Workbook.Watch;

/// <summary>What the watch asks its worker: run these grader tests, against this chapter.</summary>
/// <param name="GraderBin">The grader project's output folder, where every stable dependency is (NUnit, the grading library, the gRPC packages).</param>
/// <param name="Assemblies">The freshly compiled chapter and grader assemblies, loaded anew for each run.</param>
/// <param name="Tests">Which of them holds the tests.</param>
public sealed record WorkerRequest(string GraderBin, IReadOnlyList<string> Assemblies, string Tests);

public sealed record WorkerResponse(IReadOnlyList<TestOutcome> Tests, string? Error);

/// <summary>
/// The process that runs grader tests for watch (`workbook grade-worker`). It stays alive
/// between saves, so the gRPC packages, NUnit and ASP.NET Core are loaded and compiled once. Each run
/// loads the new chapter and grader assemblies into a fresh load context, and runs the grader
/// tests with NUnit's own FrameworkController: the same tests, and the same NUnit, as dotnet
/// test. It is a separate process so that learner code that hangs or crashes cannot take the
/// watch down with it: the watch kills and restarts it.
/// </summary>
public static class GradingWorker
{
    /// <summary>Marks the worker's answers on its standard output; anything else there was printed by the code under test.</summary>
    public const string ResponsePrefix = "\u0001workbook-response ";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync()
    {
        // Only responses go to the real standard output; what the learner's code prints goes to standard error.
        var responses = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        Console.SetOut(Console.Error);
        var probe = new ProbingResolver();
        AssemblyLoadContext.Default.Resolving += probe.Resolve;

        while (await Console.In.ReadLineAsync() is { } line)
        {
            WorkerResponse response;
            try
            {
                var request = JsonSerializer.Deserialize<WorkerRequest>(line, Json) ?? throw new InvalidDataException("Empty request.");
                response = Run(request, probe);
            }
            catch (Exception ex)
            {
                response = new WorkerResponse([], (ex is TargetInvocationException { InnerException: { } inner } ? inner : ex).ToString());
            }
            await responses.WriteLineAsync(ResponsePrefix + JsonSerializer.Serialize(response, Json));
        }
        return 0;
    }

    private static WorkerResponse Run(WorkerRequest request, ProbingResolver probe)
    {
        var fresh = request.Assemblies.ToDictionary(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase);
        probe.Use(request.GraderBin, fresh.Keys);
        var context = new RunContext(fresh);
        try
        {
            var tests = context.LoadFromAssemblyName(new AssemblyName(Path.GetFileNameWithoutExtension(request.Tests)));
            // The grader references NUnit; the controller comes from that same NUnit, found in the grader's folder.
            var nunit = tests.GetReferencedAssemblies().First(a => a.Name == "nunit.framework");
            var controllerType = AssemblyLoadContext.Default.LoadFromAssemblyName(nunit).GetType("NUnit.Framework.Api.FrameworkController", throwOnError: true)!;
            var controller = Activator.CreateInstance(controllerType, tests, "0-", (IDictionary)new Dictionary<string, object>())!;
            controllerType.GetMethod("LoadTests", Type.EmptyTypes)!.Invoke(controller, null);
            var xml = (string)controllerType.GetMethod("RunTests", [typeof(string)])!.Invoke(controller, ["<filter/>"])!;
            return new WorkerResponse(Outcomes.ReadNUnitXml(xml), null);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Loads the fresh chapter and grader assemblies; everything else comes from the default context.</summary>
    private sealed class RunContext(IReadOnlyDictionary<string, string> fresh) : AssemblyLoadContext("grading run", isCollectible: true)
    {
        // From their files (NUnit needs an assembly's location); each run has its own files.
        protected override Assembly? Load(AssemblyName name) =>
            name.Name is not null && fresh.TryGetValue(name.Name, out var path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>Finds the graders' dependencies (NUnit, the grading library, the gRPC packages, the protos) in the grader's output folder.</summary>
    private sealed class ProbingResolver
    {
        private string folder = "";
        private HashSet<string> excluded = [];

        public void Use(string graderBin, IEnumerable<string> freshNames)
        {
            folder = graderBin;
            excluded = new HashSet<string>(freshNames, StringComparer.OrdinalIgnoreCase);
        }

        public Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
        {
            // The output folder also holds the chapter as it was last built: never load that stale copy.
            if (name.Name is null || excluded.Contains(name.Name))
            {
                return null;
            }
            var path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        }
    }
}
