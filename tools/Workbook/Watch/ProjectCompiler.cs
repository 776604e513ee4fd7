using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace StreamingTutorial.Workbook.Watch;

/// <summary>A compiled assembly, or the errors that stopped it.</summary>
public sealed record CompileOutcome(byte[]? Image, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Image is not null;
}

/// <summary>
/// Compiles one project in-process, incrementally, with the exact compiler arguments MSBuild
/// would use (read once from a design-time build): same sources, references, language version,
/// nullable context, defines and source generators. Only changed files are parsed again, and
/// references are loaded once, so a recompile takes a fraction of a dotnet build.
/// </summary>
public sealed class ProjectCompiler
{
    private readonly string root;
    private readonly CSharpCommandLineArguments arguments;
    private readonly List<MetadataReference> references;
    private readonly ImmutableArray<ISourceGenerator> generators;
    private readonly Dictionary<string, (string Text, SyntaxTree Tree)> trees = new(StringComparer.Ordinal);
    private GeneratorDriver? driver;

    private ProjectCompiler(string root, string projectPath, string outputFolder, CSharpCommandLineArguments arguments)
    {
        this.root = root;
        OutputFolder = outputFolder;
        this.arguments = arguments;
        ProjectPath = projectPath;
        AssemblyName = Path.GetFileNameWithoutExtension(arguments.OutputFileName ?? Path.GetFileName(projectPath));
        references = arguments.MetadataReferences
            .Select(r => (MetadataReference)MetadataReference.CreateFromFile(r.Reference, r.Properties))
            .ToList();
        generators = LoadGenerators(arguments);
        SourceFiles = arguments.SourceFiles.Select(f => f.Path).ToList();
    }

    public string ProjectPath { get; }

    public string AssemblyName { get; }

    /// <summary>Where dotnet build puts the project's output (bin/...), with its dependencies.</summary>
    public string OutputFolder { get; }

    /// <summary>Every source file MSBuild compiles for this project, generated ones (obj/) included.</summary>
    public IReadOnlyList<string> SourceFiles { get; }

    /// <summary>Reads the project's compiler arguments with a design-time build (no compilation, about 2 s).</summary>
    public static async Task<ProjectCompiler> CreateAsync(string root, string projectPath, CancellationToken cancellationToken)
    {
        var run = await Processes.RunAsync("dotnet",
            ["msbuild", projectPath, "-nologo", "-t:Compile", "-p:DesignTimeBuild=true", "-p:BuildingInsideVisualStudio=true",
             "-p:BuildProjectReferences=false", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true",
             "-p:UseHostCompilerIfAvailable=true", "-getItem:CscCommandLineArgs", "-getProperty:TargetDir"],
            root, cancellationToken);
        if (run.ExitCode != 0)
        {
            var errors = BuildErrors.FromMsBuildOutput(run.AllOutput, root);
            throw new InvalidOperationException($"Could not read how to compile {BuildErrors.Relative(root, projectPath)}: "
                + (errors.Count > 0 ? string.Join("; ", errors) : run.AllOutput.Trim()));
        }
        using var json = JsonDocument.Parse(run.StandardOutput);
        var args = json.RootElement.GetProperty("Items").GetProperty("CscCommandLineArgs").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .ToList();
        var projectDirectory = Path.GetDirectoryName(Path.GetFullPath(projectPath))!;
        var parsed = CSharpCommandLineParser.Default.Parse(args, projectDirectory, sdkDirectory: null);
        var argumentErrors = parsed.Errors.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (argumentErrors.Count > 0)
        {
            throw new InvalidOperationException($"The compiler arguments of {projectPath} are not understood: {argumentErrors[0].GetMessage()}");
        }
        var outputFolder = json.RootElement.GetProperty("Properties").GetProperty("TargetDir").GetString()!;
        return new ProjectCompiler(root, Path.GetFullPath(projectPath), outputFolder, parsed);
    }

    /// <summary>
    /// Compiles the project as its files are now. <paramref name="replaceReferences"/> swaps
    /// references by assembly name, e.g. the grader's reference to the chapter for the chapter
    /// just compiled. <paramref name="readSource"/> lets a caller supply a file's text (null:
    /// read the file).
    /// </summary>
    public CompileOutcome Compile(IReadOnlyDictionary<string, MetadataReference>? replaceReferences = null, Func<string, string?>? readSource = null)
    {
        var syntaxTrees = new List<SyntaxTree>();
        foreach (var file in SourceFiles)
        {
            var text = readSource?.Invoke(file) ?? (File.Exists(file) ? File.ReadAllText(file) : null);
            if (text is null)
            {
                continue;
            }
            if (!trees.TryGetValue(file, out var cached) || cached.Text != text)
            {
                cached = (text, CSharpSyntaxTree.ParseText(SourceText.From(text, System.Text.Encoding.UTF8), (CSharpParseOptions)arguments.ParseOptions, file));
                trees[file] = cached;
            }
            syntaxTrees.Add(cached.Tree);
        }

        var refs = references.Select(r => Replace(r, replaceReferences)).ToList();
        Compilation compilation = CSharpCompilation.Create(AssemblyName, syntaxTrees, refs, (CSharpCompilationOptions)arguments.CompilationOptions);
        if (generators.Length > 0)
        {
            driver ??= CSharpGeneratorDriver.Create(generators, parseOptions: (CSharpParseOptions)arguments.ParseOptions);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out compilation, out _);
        }

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .Select(d => BuildErrors.Format(root, d.Location.SourceTree?.FilePath, d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))
            .Distinct()
            .ToList();
        return result.Success ? new CompileOutcome(image.ToArray(), []) : new CompileOutcome(null, errors);
    }

    private static MetadataReference Replace(MetadataReference reference, IReadOnlyDictionary<string, MetadataReference>? replacements)
    {
        if (replacements is null || reference is not PortableExecutableReference { FilePath: { } path })
        {
            return reference;
        }
        return replacements.TryGetValue(Path.GetFileNameWithoutExtension(path), out var replacement) ? replacement : reference;
    }

    /// <summary>
    /// The source generators among the project's analyzers (analyzers that only report
    /// diagnostics are skipped: they cannot change what the code does).
    /// </summary>
    private static ImmutableArray<ISourceGenerator> LoadGenerators(CSharpCommandLineArguments arguments)
    {
        var loader = new GeneratorLoader();
        var list = ImmutableArray.CreateBuilder<ISourceGenerator>();
        foreach (var analyzer in arguments.AnalyzerReferences)
        {
            loader.AddDependencyLocation(analyzer.FilePath);
        }
        foreach (var analyzer in arguments.AnalyzerReferences)
        {
            // Code fixes and analyzers of the SDK hold no generators; loading them only costs time.
            var name = Path.GetFileNameWithoutExtension(analyzer.FilePath);
            if (name.Contains("Analyzers", StringComparison.Ordinal) || name.EndsWith("CodeFixes", StringComparison.Ordinal))
            {
                continue;
            }
            list.AddRange(new AnalyzerFileReference(analyzer.FilePath, loader).GetGenerators(LanguageNames.CSharp));
        }
        return list.ToImmutable();
    }

    /// <summary>Loads generator assemblies into their own context; the compiler's own assemblies are shared.</summary>
    private sealed class GeneratorLoader : IAnalyzerAssemblyLoader
    {
        private readonly Dictionary<string, string> paths = new(StringComparer.OrdinalIgnoreCase);
        private readonly AssemblyLoadContext context;

        public GeneratorLoader()
        {
            context = new AssemblyLoadContext("source generators");
            context.Resolving += (_, name) =>
                name.Name is not null && paths.TryGetValue(name.Name, out var path) ? context.LoadFromAssemblyPath(path) : null;
        }

        public void AddDependencyLocation(string fullPath) => paths[Path.GetFileNameWithoutExtension(fullPath)] = fullPath;

        public Assembly LoadFromPath(string fullPath)
        {
            var name = System.Reflection.AssemblyName.GetAssemblyName(fullPath);
            // Microsoft.CodeAnalysis must be the compiler's own copy, or generators would not be recognised.
            if (name.Name is { } simple && simple.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            {
                return Assembly.Load(name);
            }
            return context.LoadFromAssemblyPath(fullPath);
        }
    }
}
