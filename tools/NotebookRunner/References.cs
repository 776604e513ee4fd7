using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

namespace StreamingTutorial.NotebookRunner;

/// <summary>A <c>#r "..."</c> line of a cell: a dll (with the file it names) or a NuGet package.</summary>
public sealed record Reference(int CellNumber, InteractiveDocumentElement Cell, string Written, string? FullPath)
{
    public bool IsPackage => FullPath is null;
}

/// <summary>The #r lines of a notebook, and the builds that make the dlls they name.</summary>
public static partial class References
{
    /// <summary>The <c>#r</c> lines of the given cells; dll paths resolved from the notebook's folder.</summary>
    public static IEnumerable<Reference> Of(IEnumerable<(int Number, InteractiveDocumentElement Cell)> cells, string notebookFolder) =>
        cells.SelectMany(c => ReferenceLine().Matches(c.Cell.Contents).Select(m => m.Groups["path"].Value).Select(written =>
            new Reference(c.Number, c.Cell, written, written.TrimStart().StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)
                ? null
                : Path.GetFullPath(Path.Combine(notebookFolder, written)))));

    /// <summary>
    /// The project that builds a dll: for <c>x/y/bin/Debug/net10.0/Z.dll</c>, the one project
    /// file in <c>x/y</c>, built with configuration Debug. Null when there is none.
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
        folder = folder.Length == 0 ? Path.DirectorySeparatorChar.ToString() : folder;
        var projects = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.csproj") : [];
        return projects.Length == 1 ? (projects[0], parts[bin + 1]) : null;
    }

    /// <summary>
    /// Builds, once each, the projects that make the dlls the cells reference: those whose dll is
    /// missing, or all of them with <paramref name="buildAll"/>. False when one cannot be built.
    /// </summary>
    public static async Task<bool> BuildMissingAsync(IEnumerable<(int Number, InteractiveDocumentElement Cell)> cells, string folder, bool buildAll, TextWriter console)
    {
        // Each project once, with why: the first missing dll it makes, or null when only asked to rebuild.
        var builds = new Dictionary<(string Project, string Configuration), string?>();
        foreach (var reference in Of(cells, folder).Where(r => !r.IsPackage))
        {
            var exists = File.Exists(reference.FullPath);
            if (exists && !buildAll)
            {
                continue;
            }
            if (ProjectThatBuilds(reference.FullPath!) is { } project)
            {
                if (!builds.TryAdd(project, exists ? null : reference.Written) && !exists)
                {
                    builds[project] ??= reference.Written;
                }
            }
            else if (!exists)
            {
                console.WriteLine($"Cell {reference.CellNumber} ({NotebookFile.FirstLine(reference.Cell)}) references {reference.Written}, which does not exist,");
                console.WriteLine("and no project next to its bin folder builds it.");
                return false;
            }
        }
        foreach (var ((project, configuration), missing) in builds)
        {
            var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), project);
            console.WriteLine(missing is null ? $"Building {shown} ({configuration})..." : $"{missing} is missing: building {shown} ({configuration})...");
            if (await BuildAsync(project, configuration) is { } errors)
            {
                console.WriteLine(errors);
                console.WriteLine($"The build of {shown} failed, so the notebook cannot run. Fix the errors above (dotnet build {shown}).");
                return false;
            }
        }
        return true;
    }

    /// <summary>Runs <c>dotnet build</c> on a project; on failure returns the build's output.</summary>
    private static async Task<string?> BuildAsync(string project, string configuration)
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

    // #r "..." at the start of a line, as the kernel reads it.
    [GeneratedRegex("""^[ \t]*#r[ \t]+"(?<path>[^"]+)"[ \t]*\r?$""", RegexOptions.Multiline)]
    private static partial Regex ReferenceLine();
}
