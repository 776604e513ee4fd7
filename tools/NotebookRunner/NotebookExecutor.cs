using System.Diagnostics;
using System.Globalization;
using System.Reactive.Linq;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

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
/// Runs a notebook's C# cells in order in .NET Interactive's C# kernel, inside a composite kernel
/// with the #r "nuget:" directive and the kernel helpers (display, ...) as Polyglot Notebooks
/// and Jupyter have them. Stops at the first cell that fails or times out, and names it.
/// </summary>
/// <param name="console">The process's own output, saved before the kernel swaps Console.Out.</param>
public sealed class NotebookExecutor(TextWriter console)
{
    private static readonly string[] CSharpKernelNames = ["csharp", "c#", "cs"];

    public async Task<bool> RunAsync(NotebookFile notebook, RunSettings settings)
    {
        var cells = new List<(int Number, InteractiveDocumentElement Cell)>();
        for (var i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (cell.KernelName is "markdown" or null)
            {
                continue;
            }
            if (CSharpKernelNames.Contains(cell.KernelName, StringComparer.OrdinalIgnoreCase))
            {
                cells.Add((i + 1, cell));
            }
            else
            {
                console.WriteLine($"Skipping cell {i + 1}: it is a '{cell.KernelName}' cell, and the runner runs C# cells only.");
            }
        }
        if (!await References.BuildMissingAsync(cells, notebook.Folder, settings.BuildAll, console))
        {
            return false;
        }

        using var kernel = CreateKernel();
        // What a cell shows appears at once (a stream's messages as they arrive), as in an editor.
        using var echo = kernel.KernelEvents.Subscribe(e =>
        {
            switch (e)
            {
                case StandardOutputValueProduced or StandardErrorValueProduced:
                    console.Write(PlainText(((DisplayEvent)e).FormattedValues));
                    break;
                case DisplayEvent shown:
                    console.WriteLine(PlainText(shown));
                    break;
            }
        });

        console.WriteLine($"Running {notebook.Name}: {cells.Count} C# cells.");
        var total = Stopwatch.StartNew();
        var previousDirectory = Directory.GetCurrentDirectory();
        // The kernel resolves #r paths against the working directory: the notebook's folder, as in an editor.
        Directory.SetCurrentDirectory(notebook.Folder);
        var executed = 0;
        string? failure = null;
        try
        {
            foreach (var (number, cell) in cells)
            {
                executed++;
                console.WriteLine();
                console.WriteLine($"--- cell {number} [{executed}]: {NotebookFile.FirstLine(cell)}");
                var running = kernel.SendAsync(new SubmitCode(cell.Contents, "csharp"));
                cell.Outputs.Clear();
                cell.ExecutionOrder = executed;
                if (await Task.WhenAny(running, Task.Delay(settings.CellTimeout)) != running)
                {
                    _ = kernel.SendAsync(new Cancel());
                    failure = $"Timeout: The cell did not finish within {settings.CellTimeout.TotalSeconds:0} s.";
                    cell.Outputs.Add(new ErrorElement(failure, "Timeout", []));
                }
                else
                {
                    failure = Collect((await running).Events, cell, executed);
                }
                if (failure is not null)
                {
                    failure = $"{notebook.Name}: cell {number} [{executed}] failed: {NotebookFile.FirstLine(cell)}\n{failure}";
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
            foreach (var (_, cell) in cells.Skip(executed))
            {
                cell.Outputs.Clear();
                cell.ExecutionOrder = 0;
            }
            notebook.SaveOutputs();
        }
        console.WriteLine();
        if (failure is not null)
        {
            console.WriteLine(failure);
            return false;
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"All {cells.Count} C# cells of {notebook.Name} ran in {total.Elapsed.TotalSeconds:0.0} s.{(settings.WriteOutputs ? " Outputs written to the notebook." : "")}"));
        return true;
    }

    /// <summary>The kernel as Polyglot Notebooks builds it for C#, with what this host must add.</summary>
    private static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((k, packages) =>
            {
                k.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseValueSharing();
        return new CompositeKernel { csharp };
    }

    /// <summary>Turns a cell's events into its outputs; returns why it failed, or null.</summary>
    private static string? Collect(IReadOnlyList<KernelEvent> events, InteractiveDocumentElement cell, int executionCount)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case StandardOutputValueProduced output:
                    AddText(cell, PlainText(output.FormattedValues), "stdout");
                    break;
                case StandardErrorValueProduced error:
                    AddText(cell, PlainText(error.FormattedValues), "stderr");
                    break;
                case ReturnValueProduced value:
                    var result = new ReturnValueElement { ExecutionOrder = executionCount };
                    result.Data["text/plain"] = PlainText(value);
                    cell.Outputs.Add(result);
                    break;
                case DisplayEvent shown:
                    cell.Outputs.Add(new DisplayElement(new Dictionary<string, object> { ["text/plain"] = PlainText(shown) }));
                    break;
            }
        }
        if (events.OfType<CommandFailed>().FirstOrDefault() is not { } failed)
        {
            return null;
        }
        var errors = events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics)
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .Select(d => string.Create(CultureInfo.InvariantCulture,
                $"line {d.LinePositionSpan.Start.Line + 1}, column {d.LinePositionSpan.Start.Character + 1}: {d.Code}: {d.Message}"))
            .ToList();
        var (name, message, details) = errors.Count > 0
            ? ("CompilationError", "The cell does not compile.", errors)
            : failed.Exception is { } exception
                ? (exception.GetType().FullName ?? "Exception", exception.Message, CellFrames(exception))
                : ("Error", failed.Message, []);
        cell.Outputs.Add(new ErrorElement(message, name, [.. details]));
        var text = new StringBuilder($"{name}: {message}");
        foreach (var detail in details)
        {
            text.Append("\n  ").Append(detail.Trim());
        }
        return text.ToString();
    }

    private static void AddText(InteractiveDocumentElement cell, string text, string stream)
    {
        // Consecutive writes to one stream make one output, as an editor shows them.
        if (cell.Outputs.LastOrDefault() is TextElement last && last.Name == stream)
        {
            cell.Outputs[^1] = new TextElement(last.Text + text, stream);
        }
        else
        {
            cell.Outputs.Add(new TextElement(text, stream));
        }
    }

    private static string PlainText(IReadOnlyCollection<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? "";

    /// <summary>
    /// A value as text/plain, for a terminal and for GitHub: the kernel's own text/plain when it
    /// made one (strings), else the kernel's plain-text formatter on the value (an editor shows
    /// objects as an HTML tree, which neither a terminal nor GitHub renders well).
    /// </summary>
    private static string PlainText(DisplayEvent shown) =>
        shown.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value
        ?? shown.Value.ToDisplayString(PlainTextFormatter.MimeType);

    /// <summary>
    /// The stack without the kernel's own frames: what the cell called. The kernel compiles a cell
    /// without a file name, so its own frame is "Submission#N" with no line, as in an editor.
    /// </summary>
    private static List<string> CellFrames(Exception exception) =>
        (exception.StackTrace ?? "").Split('\n').Select(l => l.TrimEnd())
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.Contains(" Microsoft.CodeAnalysis.", StringComparison.Ordinal)
                && !l.Contains(" Microsoft.DotNet.Interactive.", StringComparison.Ordinal)
                && !l.Contains(" System.Runtime.", StringComparison.Ordinal) && !l.StartsWith("--- End of stack trace", StringComparison.Ordinal))
            .ToList();
}
