using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;

namespace StreamingTutorial.NotebookRunner;

public sealed record RunSettings
{
    /// <summary>Write each cell's output into the .ipynb file, as a notebook editor saves it.</summary>
    public bool WriteOutputs { get; init; }

    /// <summary>Build every project the notebook's #r lines point into, not only those whose dll is missing.</summary>
    public bool BuildAll { get; init; }

    /// <summary>How long one cell may run before the notebook is stopped.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(120);
}

/// <summary>
/// Runs a notebook's C# cells in order, as one Roslyn script whose state every cell continues:
/// variables, usings and types of earlier cells stay in scope, and top-level await works.
/// Stops at the first cell that does not compile, throws or times out, and names it.
/// </summary>
public sealed class NotebookExecutor(CellOutput stdout, CellOutput stderr, TextWriter console)
{
    // The names a cell may start with to say it is C# (Polyglot's kernel selector).
    private static readonly string[] CSharpKernelNames = ["csharp", "c#", "cs"];

    // What a Polyglot C# cell can use without a using directive.
    private static readonly string[] DefaultImports =
        ["System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    public async Task<bool> RunAsync(Notebook notebook, RunSettings settings)
    {
        var folder = Path.GetDirectoryName(notebook.Path)!;
        var name = Path.GetFileName(notebook.Path);
        var cells = new List<NotebookCell>();
        foreach (var cell in notebook.Cells.Where(c => c.IsCode))
        {
            if (CSharpKernelNames.Contains(cell.Kernel, StringComparer.OrdinalIgnoreCase))
            {
                cells.Add(cell);
            }
            else
            {
                console.WriteLine($"Skipping cell {cell.Number}: it is a '{cell.Kernel}' cell, and the runner runs C# cells only.");
            }
        }

        if (!CheckDirectives(cells) || !await BuildReferencesAsync(cells, folder, settings.BuildAll))
        {
            return false;
        }
        var references = References.DllReferences(cells, folder);
        using var probing = new ReferenceProbing(references.Select(r => Path.GetDirectoryName(r.FullPath)!).Distinct());

        var options = ScriptOptions.Default
            .AddReferences(References.SharedFramework())
            .AddImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder))
            .WithSourceResolver(new SourceFileResolver([], folder))
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8);
        var loader = new InteractiveAssemblyLoader();

        console.WriteLine($"Running {name}: {cells.Count} C# cells.");
        var total = Stopwatch.StartNew();
        var previousDirectory = Directory.GetCurrentDirectory();
        // Like a notebook editor, cells run in the notebook's folder.
        Directory.SetCurrentDirectory(folder);
        ScriptState<object>? state = null;
        var executed = 0;
        Failure? failure = null;
        try
        {
            foreach (var cell in cells)
            {
                executed++;
                console.WriteLine();
                console.WriteLine($"--- cell {cell.Number} [{executed}]: {cell.FirstLine}");
                // The file name shows up in stack traces: "in 01-unary.ipynb cell 7:line 3".
                var cellOptions = options.WithFilePath(Path.Combine(folder, $"{name} cell {cell.Number}"));
                var source = WithoutKernelSelector(cell.Source);
                var previous = state;
                var running = Task.Run(() => previous is null
                    ? CSharpScript.Create(source, cellOptions, assemblyLoader: loader).RunAsync(catchException: _ => true)
                    : previous.ContinueWithAsync(source, cellOptions, catchException: _ => true));
                var result = new CellResult(executed);
                if (await Task.WhenAny(running, Task.Delay(settings.CellTimeout)) != running)
                {
                    failure = new Failure(cell, executed, "Timeout",
                        $"The cell did not finish within {settings.CellTimeout.TotalSeconds:0} s.", []);
                }
                else
                {
                    try
                    {
                        state = await running;
                        if (state.Exception is { } exception)
                        {
                            failure = Failure.FromException(cell, executed, exception);
                        }
                        else if (HasValue(state))
                        {
                            result.Value = Display(state.ReturnValue);
                        }
                    }
                    catch (CompilationErrorException ex)
                    {
                        failure = new Failure(cell, executed, "CompilationError", "The cell does not compile.",
                            ex.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(FormatDiagnostic).ToList());
                    }
                }
                result.Stdout = stdout.TakeText();
                result.Stderr = stderr.TakeText();
                if (result.Stdout is [.., not '\n'] || result.Stderr is [.., not '\n'])
                {
                    console.WriteLine();
                }
                if (result.Value is not null)
                {
                    console.WriteLine(result.Value);
                }
                result.Failure = failure;
                if (settings.WriteOutputs)
                {
                    cell.SetOutputs(executed, result.ToOutputs());
                }
                if (failure is not null)
                {
                    break;
                }
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }

        if (settings.WriteOutputs)
        {
            // Cells after a failure did not run: they keep no stale output.
            foreach (var cell in cells.Skip(executed))
            {
                cell.SetOutputs(null, []);
            }
            notebook.Save();
        }
        console.WriteLine();
        if (failure is not null)
        {
            console.WriteLine(failure.Describe(name));
            return false;
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"All {cells.Count} C# cells of {name} ran in {total.Elapsed.TotalSeconds:0.0} s.{(settings.WriteOutputs ? " Outputs written to the notebook." : "")}"));
        return true;
    }

    /// <summary>Fails, before anything runs, on lines the runner cannot honour, naming the cell.</summary>
    private bool CheckDirectives(IEnumerable<NotebookCell> cells)
    {
        foreach (var (cell, written) in References.PackageReferences(cells))
        {
            console.WriteLine($"Cell {cell.Number} ({cell.FirstLine}) asks for a NuGet package: #r \"{written}\".");
            console.WriteLine("The runner does not restore packages: reference a built dll instead, #r \"path/to/Library.dll\".");
            return false;
        }
        foreach (var cell in cells)
        {
            var magic = WithoutKernelSelector(cell.Source).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("#!", StringComparison.Ordinal));
            if (magic is not null)
            {
                console.WriteLine($"Cell {cell.Number} ({cell.FirstLine}) uses the Polyglot magic command {magic.Split(' ')[0]}, which the runner does not support.");
                return false;
            }
        }
        return true;
    }

    /// <summary>Builds the projects that make the dlls the cells reference, once each.</summary>
    private async Task<bool> BuildReferencesAsync(IReadOnlyList<NotebookCell> cells, string folder, bool buildAll)
    {
        // Each project once, with why: the first missing dll it makes, or null when only asked to rebuild.
        var builds = new Dictionary<(string Project, string Configuration), string?>();
        foreach (var reference in References.DllReferences(cells, folder))
        {
            var exists = File.Exists(reference.FullPath);
            if (exists && !buildAll)
            {
                continue;
            }
            if (References.ProjectThatBuilds(reference.FullPath) is { } project)
            {
                if (!builds.TryAdd(project, exists ? null : reference.Written) && !exists)
                {
                    builds[project] ??= reference.Written;
                }
            }
            else if (!exists)
            {
                console.WriteLine($"Cell {reference.Cell.Number} ({reference.Cell.FirstLine}) references {reference.Written}, which does not exist,");
                console.WriteLine("and no project next to its bin folder builds it.");
                return false;
            }
        }
        foreach (var ((project, configuration), missing) in builds)
        {
            var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), project);
            console.WriteLine(missing is null
                ? $"Building {shown} ({configuration})..."
                : $"{missing} is missing: building {shown} ({configuration})...");
            if (await References.BuildAsync(project, configuration) is { } errors)
            {
                console.WriteLine(errors);
                console.WriteLine($"The build of {shown} failed, so the notebook cannot run. Fix the errors above (dotnet build {shown}).");
                return false;
            }
        }
        return true;
    }

    private static string WithoutKernelSelector(string source)
    {
        // "#!csharp" on the first line picks the kernel in Polyglot; C# would read it as a directive.
        var firstLineEnd = source.IndexOf('\n');
        var firstLine = (firstLineEnd < 0 ? source : source[..firstLineEnd]).Trim();
        return firstLine.StartsWith("#!", StringComparison.Ordinal) && CSharpKernelNames.Contains(firstLine[2..], StringComparer.OrdinalIgnoreCase)
            ? (firstLineEnd < 0 ? "" : "\n" + source[(firstLineEnd + 1)..])
            : source;
    }

    /// <summary>True when the cell ends with an expression that has a value and no semicolon, as in <c>reply.Message</c>.</summary>
    private static bool HasValue(ScriptState<object> state)
    {
        var compilation = state.Script.GetCompilation();
        var tree = compilation.SyntaxTrees.Single();
        if (tree.GetCompilationUnitRoot().Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } last })
        {
            return false;
        }
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(last.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    /// <summary>A trailing expression's value as text: items one per line for a collection.</summary>
    private static string Display(object? value) => value switch
    {
        null => "<null>",
        string text => text,
        IEnumerable items => string.Join(Environment.NewLine, items.Cast<object?>().Select(Display)),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string FormatDiagnostic(Diagnostic diagnostic)
    {
        var line = diagnostic.Location.GetLineSpan().StartLinePosition;
        return string.Create(CultureInfo.InvariantCulture, $"line {line.Line + 1}, column {line.Character + 1}: {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
    }

    /// <summary>What one cell produced, as nbformat 4 outputs.</summary>
    private sealed class CellResult(int executionCount)
    {
        public string Stdout { get; set; } = "";

        public string Stderr { get; set; } = "";

        public string? Value { get; set; }

        public Failure? Failure { get; set; }

        public IEnumerable<JsonObject> ToOutputs()
        {
            if (Stdout.Length > 0)
            {
                yield return new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = NotebookCell.Lines(Stdout) };
            }
            if (Stderr.Length > 0)
            {
                yield return new JsonObject { ["output_type"] = "stream", ["name"] = "stderr", ["text"] = NotebookCell.Lines(Stderr) };
            }
            if (Value is not null)
            {
                yield return new JsonObject
                {
                    ["output_type"] = "execute_result",
                    ["execution_count"] = executionCount,
                    ["data"] = new JsonObject { ["text/plain"] = NotebookCell.Lines(Value) },
                    ["metadata"] = new JsonObject(),
                };
            }
            if (Failure is not null)
            {
                yield return new JsonObject
                {
                    ["output_type"] = "error",
                    ["ename"] = Failure.Kind,
                    ["evalue"] = Failure.Message,
                    ["traceback"] = new JsonArray(Failure.Details.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                };
            }
        }
    }

    /// <summary>Why a cell failed: a compile error, an exception, or a timeout.</summary>
    private sealed record Failure(NotebookCell Cell, int ExecutionCount, string Kind, string Message, IReadOnlyList<string> Details)
    {
        public static Failure FromException(NotebookCell cell, int executionCount, Exception exception)
        {
            while (exception is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && exception.InnerException is not null)
            {
                exception = exception.InnerException;
            }
            // The stack without the runner's and Roslyn's own frames: what the cell called, and where.
            var trace = (exception.StackTrace ?? "").Split('\n')
                .Select(l => l.TrimEnd())
                .Where(l => l.Length > 0 && !l.Contains(" Microsoft.CodeAnalysis.", StringComparison.Ordinal) && !l.Contains(" StreamingTutorial.NotebookRunner.", StringComparison.Ordinal))
                .ToList();
            return new Failure(cell, executionCount, exception.GetType().FullName ?? exception.GetType().Name, exception.Message, trace);
        }

        public string Describe(string notebookName)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{notebookName}: cell {Cell.Number} [{ExecutionCount}] failed: {Cell.FirstLine}");
            text.Append(CultureInfo.InvariantCulture, $"{Kind}: {Message}");
            foreach (var detail in Details)
            {
                text.AppendLine().Append("  ").Append(detail.Trim());
            }
            return text.ToString();
        }
    }

    /// <summary>
    /// Lets assemblies loaded by the default context find the dependencies that sit next to the
    /// dlls the notebook references (Roslyn's loader already does so for the cells' own loads).
    /// </summary>
    private sealed class ReferenceProbing : IDisposable
    {
        private readonly IReadOnlyList<string> folders;

        public ReferenceProbing(IEnumerable<string> folders)
        {
            this.folders = folders.ToList();
            AssemblyLoadContext.Default.Resolving += Resolve;
        }

        public void Dispose() => AssemblyLoadContext.Default.Resolving -= Resolve;

        private Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
        {
            var path = folders.Select(f => Path.Combine(f, name.Name + ".dll")).FirstOrDefault(File.Exists);
            return path is null ? null : context.LoadFromAssemblyPath(path);
        }
    }
}
