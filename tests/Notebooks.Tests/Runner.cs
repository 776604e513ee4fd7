using System.Reflection;
using System.Text.Json.Nodes;

namespace StreamingTutorial.Notebooks.Tests;

/// <summary>What the runner printed (standard output, then standard error) and how it exited.</summary>
public sealed record RunnerResult(int ExitCode, string Output);

/// <summary>Runs tools/NotebookRunner as a learner would, in a process of its own.</summary>
public static class Runner
{
    public static readonly string Root = Programs.Workbook.Root;

    private static string Metadata(string key) =>
        typeof(Runner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static Task<RunnerResult> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var runner = Metadata("NotebookRunner");
        Assert.That(File.Exists(runner), Is.True, $"The runner is not built at {runner}: dotnet build tools/NotebookRunner");
        return DotnetAsync(timeout, [runner, .. arguments]);
    }

    /// <summary>Runs <c>dotnet</c> with the arguments, in the workbook's folder, as a learner would.</summary>
    public static async Task<RunnerResult> DotnetAsync(TimeSpan timeout, params string[] arguments)
    {
        var run = await Programs.RunAsync(new ProgramStart(Programs.DotnetHost, arguments) { WorkingDirectory = Root }, timeout);
        if (run.TimedOut)
        {
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s. It printed:\n{run.Stdout}{run.Stderr}");
        }
        var result = new RunnerResult(run.ExitCode!.Value, (run.Stdout + run.Stderr).ReplaceLineEndings("\n"));
        TestContext.Out.WriteLine(result.Output);
        return result;
    }

    /// <summary>
    /// Writes a notebook of C# cells (after one markdown cell) with the Polyglot metadata, in
    /// <paramref name="folder"/>, and returns its path.
    /// </summary>
    public static string WriteNotebook(string folder, string name, params string[] codeCells)
    {
        Directory.CreateDirectory(folder);
        var cells = new JsonArray(new JsonObject
        {
            ["cell_type"] = "markdown",
            ["id"] = "intro",
            ["metadata"] = new JsonObject(),
            ["source"] = "# A notebook made by a test",
        });
        for (var i = 0; i < codeCells.Length; i++)
        {
            cells.Add(new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["id"] = $"code-{i + 1}",
                ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
                ["outputs"] = new JsonArray(),
                ["source"] = codeCells[i],
            });
        }
        var notebook = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }
}
