using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

namespace StreamingTutorial.TestKit;

/// <summary>How a program run to its end (or killed) ended, with everything it printed.</summary>
public sealed record ProcessResult(int? ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>One readable line about the outcome, for failure messages.</summary>
    public string Describe()
    {
        var outcome = TimedOut ? $"killed after {Elapsed.TotalSeconds:0.#} s" : $"exit code {ExitCode}";
        return $"{outcome}; stdout: {Tail(Stdout)}; stderr: {Tail(Stderr)}";
    }

    public static string Tail(string text, int max = 1500)
    {
        text = text.Trim();
        return text.Length == 0 ? "(empty)" : ChildProcess.Tail(text, max);
    }
}

/// <summary>The programs the tests run: dotnet assemblies (the built solutions, test assemblies' own modes) and Python peers; and where the workbook is.</summary>
public static class Programs
{
    public const string Python3 = "/usr/bin/python3";

    private static readonly Lazy<WorkbookPaths> Found = new(WorkbookPaths.Find);

    /// <summary>The workbook's folder and layout, found from the current folder or this assembly's.</summary>
    public static WorkbookPaths Workbook => Found.Value;

    /// <summary>The dotnet host that runs this test, so a child runs on the same runtime.</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }
            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    /// <summary>An assembly run by the dotnet host, in the assembly's folder.</summary>
    public static ProgramStart Dotnet(string assembly, params IEnumerable<string> arguments) =>
        new(DotnetHost, [assembly, .. arguments]) { WorkingDirectory = Path.GetDirectoryName(assembly) };

    /// <summary>A Python script, unbuffered, in the script's folder.</summary>
    public static ProgramStart Python(string script, params IEnumerable<string> arguments) =>
        new(Python3, ["-u", Path.GetFullPath(script), .. arguments]) { WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(script)) };

    /// <summary>A chapter's reference program, built with the configuration and framework of the calling test (a project reference of it).</summary>
    public static string BuiltSolution(int chapter) =>
        BuiltSolution(ChapterCatalog.Current.Chapters.Single(c => c.Number == chapter));

    /// <summary>solutions/NN-x/bin/&lt;configuration&gt;/&lt;framework&gt;/&lt;assembly&gt;.dll.</summary>
    public static string BuiltSolution(Chapter chapter)
    {
        var project = Workbook.SolutionProject(chapter);
        var assembly = XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);
        // This test runs from <its project>/bin/<configuration>/<framework>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var program = Path.Combine(Path.GetDirectoryName(project)!, "bin", output.Parent!.Name, output.Name, assembly + ".dll");
        return File.Exists(program)
            ? program
            : throw new FileNotFoundException($"{program} is not built: build {WorkbookPaths.Relative.SolutionFolder(chapter)} (a project reference of the test project).", program);
    }

    /// <summary>A port that was free a moment ago on 127.0.0.1, for programs that cannot take port 0.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a program to its end with stdin closed at once, or kills it (and its children) after <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunAsync(ProgramStart start, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(start);
        }
        catch (ChildProcessException ex)
        {
            return new ProcessResult(null, "", ex.Message, false, TimeSpan.Zero);
        }
        await using (process)
        {
            // A client reads nothing: closing its stdin at once keeps it from waiting on ours.
            process.CloseInput();
            var code = await process.WaitForExitAsync(timeout);
            if (code is null)
            {
                await process.KillAsync();
            }
            return new ProcessResult(code, process.Output, process.Errors, code is null, watch.Elapsed);
        }
    }

    public static ProcessResult Run(ProgramStart start, TimeSpan timeout) => RunAsync(start, timeout).GetAwaiter().GetResult();
}
