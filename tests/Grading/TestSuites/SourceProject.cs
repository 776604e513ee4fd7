using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace StreamingTutorial.Grading.TestSuites;

/// <summary>
/// A folder of C# sources read as its project file says: assembly name, output kind and the
/// global usings the SDK and the project add. Enough to compile a chapter or a test project
/// in-process without asking MSBuild, which takes seconds.
/// </summary>
public sealed class SourceProject
{
    // The usings the .NET SDKs add when ImplicitUsings is on (Microsoft.NET.Sdk, and what Microsoft.NET.Sdk.Web adds to it).
    private static readonly string[] SdkUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WebSdkUsings =
        ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
         "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
         "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    private SourceProject(string folder, string assemblyName, OutputKind kind, IReadOnlyList<string> usings, IReadOnlyList<(string Path, string Text)> files)
    {
        Folder = folder;
        AssemblyName = assemblyName;
        Kind = kind;
        GlobalUsings = usings;
        Files = files;
    }

    public string Folder { get; }

    public string AssemblyName { get; }

    public OutputKind Kind { get; }

    public IReadOnlyList<string> GlobalUsings { get; }

    /// <summary>Every .cs file under the folder (bin/ and obj/ left out), with its text.</summary>
    public IReadOnlyList<(string Path, string Text)> Files { get; }

    /// <summary>Reads the folder; without a project file, a test project's defaults (NUnit.Framework among the usings).</summary>
    public static SourceProject Read(string folder, string? defaultAssemblyName = null)
    {
        folder = Path.GetFullPath(folder);
        var projectFile = Directory.EnumerateFiles(folder, "*.csproj").FirstOrDefault();
        var usings = new List<string>(SdkUsings);
        var kind = OutputKind.DynamicallyLinkedLibrary;
        var assemblyName = defaultAssemblyName ?? Path.GetFileName(folder);
        if (projectFile is not null)
        {
            var project = XDocument.Load(projectFile).Root!;
            if (((string?)project.Attribute("Sdk") ?? "").Contains("Web", StringComparison.Ordinal))
            {
                usings.AddRange(WebSdkUsings);
            }
            usings.AddRange(project.Descendants("Using").Select(u => (string?)u.Attribute("Include")).OfType<string>());
            assemblyName = project.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault() ?? Path.GetFileNameWithoutExtension(projectFile);
            if (project.Descendants("OutputType").Any(e => e.Value.Trim() == "Exe"))
            {
                kind = OutputKind.ConsoleApplication;
            }
        }
        else
        {
            usings.Add("NUnit.Framework");
        }
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => Path.GetRelativePath(folder, f).Replace('\\', '/').Split('/')[0] is not ("bin" or "obj"))
                .Order(StringComparer.Ordinal)
                .Select(f => (f, File.ReadAllText(f)))
                .ToList()
            : [];
        return new SourceProject(folder, assemblyName, kind, usings.Distinct().ToList(), files);
    }

    public IEnumerable<SyntaxTree> Parse(CSharpParseOptions options) =>
        Files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, f.Path))
            .Append(CSharpSyntaxTree.ParseText(string.Concat(GlobalUsings.Select(u => $"global using global::{u};\n")), options, "GlobalUsings.g.cs"));
}
