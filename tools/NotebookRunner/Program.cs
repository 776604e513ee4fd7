using System.Globalization;
using StreamingTutorial.NotebookRunner;

// dotnet run --project tools/NotebookRunner -- notebooks/01-unary.ipynb [--write-outputs] [--build] [--cell-timeout <seconds>] [--export <folder>]
string? path = null;
string? exportFolder = null;
var settings = new RunSettings();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--write-outputs":
            settings = settings with { WriteOutputs = true };
            break;
        case "--build":
            settings = settings with { BuildAll = true };
            break;
        case "--cell-timeout" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            settings = settings with { CellTimeout = TimeSpan.FromSeconds(seconds) };
            i++;
            break;
        case "--export" when i + 1 < args.Length:
            exportFolder = args[++i];
            break;
        case "-h" or "--help":
            return Usage();
        case var argument when !argument.StartsWith("--", StringComparison.Ordinal) && path is null:
            path = argument;
            break;
        default:
            Console.Error.WriteLine($"Unexpected argument '{args[i]}'.");
            return Usage();
    }
}
if (path is null)
{
    return Usage();
}
if (!File.Exists(path))
{
    Console.Error.WriteLine($"No notebook at '{path}'.");
    return 2;
}

NotebookFile notebook;
try
{
    notebook = NotebookFile.Load(path);
}
catch (InvalidDataException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (exportFolder is not null)
{
    // The export reads which package each dll comes from out of the project's restore.
    var cells = notebook.Cells.Select((cell, i) => (i + 1, cell)).Where(c => c.cell.KernelName != "markdown");
    if (!await References.BuildMissingAsync(cells, notebook.Folder, settings.BuildAll, Console.Out))
    {
        return 1;
    }
    try
    {
        Console.WriteLine($"Wrote {Path.GetRelativePath(Directory.GetCurrentDirectory(), Exporter.Export(notebook, exportFolder))}.");
        return 0;
    }
    catch (InvalidDataException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 1;
    }
}

// Saved before the kernel exists: the kernel swaps Console.Out for a writer of its own, and
// what the runner prints there would be fed back into the cell's output.
var console = Console.Out;
var ok = await new NotebookExecutor(console).RunAsync(notebook, settings);
return ok ? 0 : 1;

static int Usage()
{
    Console.WriteLine("Runs a notebook's C# cells in order and shows what each one prints.");
    Console.WriteLine();
    Console.WriteLine("  dotnet run --project tools/NotebookRunner -- <notebook.ipynb> [options]");
    Console.WriteLine();
    Console.WriteLine("  --write-outputs         save each cell's output into the notebook");
    Console.WriteLine("  --build                 rebuild the projects the #r lines point into (to pick up your changes)");
    Console.WriteLine("  --cell-timeout <s>      stop if one cell runs longer than this (default 120)");
    Console.WriteLine("  --export <folder>       write the notebook as a file-based app, <folder>/<name>.cs, instead of running it");
    Console.WriteLine();
    Console.WriteLine("Exit code: 0 when every cell ran, 1 when a cell failed, 2 for a usage error.");
    return 2;
}
