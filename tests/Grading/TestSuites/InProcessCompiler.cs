using System.Reflection.PortableExecutable;
using Microsoft.AspNetCore.Builder;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace StreamingTutorial.Grading.TestSuites;

/// <summary>A compiled assembly on disk, or the errors that stopped it.</summary>
public sealed record Compiled(string? Path, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Path is not null;
}

/// <summary>
/// Compiles C# in-process with Roslyn against what the running grader was built with: every
/// assembly in its output folder (NUnit, the gRPC packages, Grpc.Core.Testing, the protos) and
/// the .NET and ASP.NET Core shared frameworks.
/// </summary>
public static class InProcessCompiler
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<IReadOnlyDictionary<string, MetadataReference>> References = new(LoadReferences);

    /// <summary>The folder the grading library was loaded from: the grader's output folder.</summary>
    public static string GraderBin => Path.GetDirectoryName(typeof(InProcessCompiler).Assembly.Location)!;

    public static Compiled Compile(SourceProject project, IEnumerable<SyntaxTree> trees, string outputFolder,
        IReadOnlyDictionary<string, string>? replacedReferences = null, ISet<string>? leftOut = null)
    {
        var references = References.Value
            .Where(r => replacedReferences?.ContainsKey(r.Key) != true && leftOut?.Contains(r.Key) != true && r.Key != project.AssemblyName)
            .Select(r => r.Value)
            .Concat((replacedReferences ?? new Dictionary<string, string>()).Values.Select(p => MetadataReference.CreateFromFile(p)));
        var compilation = CSharpCompilation.Create(project.AssemblyName, trees, references,
            new CSharpCompilationOptions(project.Kind, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Debug, concurrentBuild: true));
        var path = System.IO.Path.Combine(outputFolder, project.AssemblyName + ".dll");
        Directory.CreateDirectory(outputFolder);
        using (var stream = new MemoryStream())
        {
            var result = compilation.Emit(stream);
            if (!result.Success)
            {
                var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                    .Select(d => Describe(d, project.Folder)).Distinct().Take(10).ToList();
                return new Compiled(null, errors);
            }
            File.WriteAllBytes(path, stream.ToArray());
        }
        return new Compiled(path, []);
    }

    private static string Describe(Diagnostic diagnostic, string folder)
    {
        var span = diagnostic.Location.GetLineSpan();
        var where = string.IsNullOrEmpty(span.Path) ? "" : $"{System.IO.Path.GetRelativePath(folder, span.Path).Replace('\\', '/')}:{span.StartLinePosition.Line + 1}: ";
        return $"{where}error {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static IReadOnlyDictionary<string, MetadataReference> LoadReferences()
    {
        // The grader's own folder first: a package's copy wins over the shared framework's older one.
        var folders = new[]
        {
            GraderBin,
            System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!,
            System.IO.Path.GetDirectoryName(typeof(WebApplication).Assembly.Location)!,
        };
        var references = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.dll"))
            {
                var name = System.IO.Path.GetFileNameWithoutExtension(file);
                if (!references.ContainsKey(name) && IsManaged(file))
                {
                    references[name] = MetadataReference.CreateFromFile(file);
                }
            }
        }
        return references;
    }

    private static bool IsManaged(string file)
    {
        try
        {
            using var reader = new PEReader(File.OpenRead(file));
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
