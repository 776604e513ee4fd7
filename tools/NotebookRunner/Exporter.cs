using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamingTutorial.NotebookRunner;

/// <summary>
/// Turns a notebook into a file-based app (<c>dotnet run file.cs</c>): markdown as comments, #r
/// lines as #:project and #:package lines, the C# cells in order. What a script allows and a
/// program does not is moved: using directives to the top, type declarations to the end; a
/// cell's trailing value is shown with Show(...), as the notebook shows it.
/// </summary>
public static partial class Exporter
{
    public static string Export(NotebookFile notebook, string outputFolder)
    {
        outputFolder = Path.GetFullPath(outputFolder);
        var directives = new List<string>();
        var usings = new List<string>();
        var body = new StringBuilder();
        var types = new StringBuilder();
        var shows = false;
        for (var i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (cell.KernelName == "markdown")
            {
                body.AppendLine();
                foreach (var line in cell.Contents.TrimEnd().Split('\n'))
                {
                    body.AppendLine(line.Length == 0 ? "//" : "// " + line);
                }
                continue;
            }
            var code = new List<string>();
            foreach (var line in cell.Contents.Split('\n'))
            {
                if (ReferenceLine().Match(line) is { Success: true } reference)
                {
                    directives.AddRange(Directives(reference.Groups["path"].Value, notebook.Folder, outputFolder).Where(d => !directives.Contains(d)));
                }
                else if (!NotebookFile.KernelSelector().IsMatch(line.Trim()))
                {
                    code.Add(line);
                }
            }
            var root = CSharpSyntaxTree.ParseText(string.Join('\n', code), new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script)).GetCompilationUnitRoot();
            usings.AddRange(root.Usings.Select(u => u.ToString().Trim()).Where(u => !usings.Contains(u)));
            body.AppendLine();
            body.AppendLine($"// --- cell {i + 1}");
            var first = true;
            foreach (var member in root.Members)
            {
                // Blank lines between a cell's statements are kept; those at its start are not.
                var full = member.ToFullString().TrimEnd();
                full = first ? full.TrimStart('\n', '\r') : full;
                first = false;
                switch (member)
                {
                    case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                        types.AppendLine().AppendLine(full.TrimStart('\n', '\r'));
                        break;
                    case GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } value }:
                        // The cell's result, which the notebook displays.
                        body.AppendLine($"{full[..(full.Length - full.TrimStart().Length)]}Show({value.Expression.ToString()});");
                        shows = true;
                        break;
                    default:
                        body.AppendLine(full);
                        break;
                }
            }
        }

        var text = new StringBuilder();
        var source = Path.GetRelativePath(outputFolder, notebook.Path).Replace('\\', '/');
        text.AppendLine($"// {source} as a file-based app: dotnet run {Path.ChangeExtension(notebook.Name, ".cs")} (in this folder).");
        text.AppendLine("// Made by the notebook runner's --export: change the notebook, then export again.");
        foreach (var directive in directives)
        {
            text.AppendLine(directive);
        }
        text.AppendLine();
        foreach (var directive in usings)
        {
            text.AppendLine(directive);
        }
        text.Append(body);
        if (shows)
        {
            text.AppendLine().AppendLine("""
                // What a notebook shows as a cell's result: text as it is, a list one item per line.
                static void Show(object? value)
                {
                    if (value is System.Collections.IEnumerable items and not string)
                    {
                        foreach (var item in items)
                        {
                            Console.WriteLine(item);
                        }
                        return;
                    }
                    Console.WriteLine(value);
                }
                """.TrimEnd());
        }
        text.Append(types);
        Directory.CreateDirectory(outputFolder);
        var path = Path.Combine(outputFolder, Path.ChangeExtension(notebook.Name, ".cs"));
        File.WriteAllText(path, text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
        return path;
    }

    /// <summary>
    /// One #r line as file-based app directives: a NuGet package as #:package; a dll in a project's
    /// bin folder as #:project for that project, or as #:package when a package of the project put
    /// it there. A package whose version Directory.Packages.props sets is named without one.
    /// </summary>
    private static IEnumerable<string> Directives(string written, string notebookFolder, string outputFolder)
    {
        if (written.TrimStart().StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = written.Trim()["nuget:".Length..].Split(',', StringSplitOptions.TrimEntries);
            yield return PackageDirective(parts[0], parts.Length > 1 ? parts[1] : null, outputFolder);
            yield break;
        }
        var dll = Path.GetFullPath(Path.Combine(notebookFolder, written));
        if (References.ProjectThatBuilds(dll) is not { } built)
        {
            throw new InvalidDataException($"#r \"{written}\": no project builds it, so it has no #:project or #:package line.");
        }
        if (PackageOf(built.Project, Path.GetFileName(dll), CentralVersions(outputFolder)) is { } package)
        {
            yield return PackageDirective(package.Name, package.Version, outputFolder);
        }
        else
        {
            yield return $"#:project {Path.GetRelativePath(outputFolder, built.Project).Replace('\\', '/')}";
        }
    }

    private static string PackageDirective(string name, string? version, string outputFolder) =>
        version is null || CentralVersions(outputFolder).Contains(name) ? $"#:package {name}" : $"#:package {name}@{version}";

    /// <summary>
    /// The package (name, version) whose runtime assembly is <paramref name="fileName"/>, from the
    /// project's restore. Where versions are set centrally and that package has none there (it
    /// came with another), the package the project names that brings it in.
    /// </summary>
    private static (string Name, string Version)? PackageOf(string project, string fileName, HashSet<string> central)
    {
        var assets = Path.Combine(Path.GetDirectoryName(project)!, "obj", "project.assets.json");
        if (!File.Exists(assets) || JsonNode.Parse(File.ReadAllText(assets)) is not { } root || root["targets"] is not JsonObject targets)
        {
            throw new InvalidDataException($"{assets} is missing: build {project} first.");
        }
        var packages = targets.First().Value!.AsObject()
            .Where(p => p.Value?["type"]?.GetValue<string>() == "package")
            .ToDictionary(p => p.Key[..p.Key.IndexOf('/')], p => (Version: p.Key[(p.Key.IndexOf('/') + 1)..], Entry: p.Value!), StringComparer.OrdinalIgnoreCase);
        var name = packages.FirstOrDefault(p => p.Value.Entry["runtime"] is JsonObject runtime && runtime.Any(r => Path.GetFileName(r.Key) == fileName)).Key;
        if (name is null || central.Count == 0 || central.Contains(name))
        {
            return name is null ? null : (name, packages[name].Version);
        }
        var direct = root["project"]?["frameworks"]?.AsObject().SelectMany(f => f.Value?["dependencies"]?.AsObject().Select(d => d.Key) ?? []) ?? [];
        var bringer = direct.FirstOrDefault(d => packages.ContainsKey(d) && Brings(d, name, packages, []));
        return bringer is null ? (name, packages[name].Version) : (bringer, packages[bringer].Version);
    }

    private static bool Brings(string package, string wanted, Dictionary<string, (string Version, JsonNode Entry)> packages, HashSet<string> seen) =>
        seen.Add(package) && packages.TryGetValue(package, out var p) && p.Entry["dependencies"] is JsonObject dependencies
        && dependencies.Any(d => string.Equals(d.Key, wanted, StringComparison.OrdinalIgnoreCase) || Brings(d.Key, wanted, packages, seen));

    /// <summary>The packages the nearest Directory.Packages.props above the folder gives a version.</summary>
    private static HashSet<string> CentralVersions(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var props = Path.Combine(dir.FullName, "Directory.Packages.props");
            if (File.Exists(props))
            {
                return XDocument.Load(props).Descendants("PackageVersion")
                    .Select(p => (string?)p.Attribute("Include")).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            }
        }
        return [];
    }

    [GeneratedRegex("""^[ \t]*#r[ \t]+"(?<path>[^"]+)"[ \t]*\r?$""")]
    private static partial Regex ReferenceLine();
}
