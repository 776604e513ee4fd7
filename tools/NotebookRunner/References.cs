using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace StreamingTutorial.NotebookRunner;

/// <summary>A <c>#r "path.dll"</c> line of a cell, with the file it names.</summary>
public sealed record AssemblyReference(NotebookCell Cell, string Written, string FullPath);

/// <summary>What cells may use without a #r line, and the #r lines they do have.</summary>
public static partial class References
{
    /// <summary>
    /// Every assembly of the two shared frameworks this process runs on (Microsoft.NETCore.App
    /// and Microsoft.AspNetCore.App), so a cell can host a server as a program would. They come
    /// from the trusted platform assemblies list, which holds managed assemblies only.
    /// </summary>
    public static IReadOnlyList<MetadataReference> SharedFramework()
    {
        var folders = new[]
        {
            Path.GetDirectoryName(typeof(object).Assembly.Location)!,
            Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)!,
        };
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return trusted
            .Where(path => folders.Contains(Path.GetDirectoryName(path), StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
    }

    /// <summary>The <c>#r "....dll"</c> lines of the given cells, resolved from the notebook's folder.</summary>
    public static IReadOnlyList<AssemblyReference> DllReferences(IEnumerable<NotebookCell> cells, string notebookFolder)
    {
        var list = new List<AssemblyReference>();
        foreach (var cell in cells)
        {
            foreach (Match match in ReferenceLine().Matches(cell.Source))
            {
                var written = match.Groups["path"].Value;
                if (written.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    list.Add(new AssemblyReference(cell, written, Path.GetFullPath(Path.Combine(notebookFolder, written))));
                }
            }
        }
        return list;
    }

    /// <summary>The <c>#r "nuget: ..."</c> lines, which need a package restore the runner does not do.</summary>
    public static IEnumerable<(NotebookCell Cell, string Written)> PackageReferences(IEnumerable<NotebookCell> cells) =>
        cells.SelectMany(cell => ReferenceLine().Matches(cell.Source)
            .Where(m => m.Groups["path"].Value.TrimStart().StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
            .Select(m => (cell, m.Groups["path"].Value)));

    /// <summary>
    /// The project that builds a missing dll: for <c>x/y/bin/Debug/net10.0/Z.dll</c>, the one
    /// project file in <c>x/y</c>, built with configuration Debug. Null when there is none.
    /// </summary>
    public static (string Project, string Configuration)? ProjectThatBuilds(string dllPath)
    {
        var parts = dllPath.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        var bin = Array.LastIndexOf(parts, "bin");
        if (bin < 1 || bin + 2 >= parts.Length)
        {
            return null;
        }
        var folder = string.Join(Path.DirectorySeparatorChar, parts[..bin]);
        if (folder.Length == 0)
        {
            folder = Path.DirectorySeparatorChar.ToString();
        }
        var projects = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.csproj") : [];
        return projects.Length == 1 ? (projects[0], parts[bin + 1]) : null;
    }

    /// <summary>Runs <c>dotnet build</c> on a project; on failure returns the build's output.</summary>
    public static async Task<string?> BuildAsync(string project, string configuration)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", project, "-c", configuration, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? null : (await output + await errors).Trim();
    }

    // #r "..." at the start of a line, as Roslyn scripts and Polyglot Notebooks write it.
    [GeneratedRegex("""^[ \t]*#r[ \t]+"(?<path>[^"]+)"[ \t]*\r?$""", RegexOptions.Multiline)]
    private static partial Regex ReferenceLine();
}
