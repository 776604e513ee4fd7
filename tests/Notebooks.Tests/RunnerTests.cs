using System.Text.Json.Nodes;

namespace StreamingTutorial.Notebooks.Tests;

/// <summary>
/// The runner on small notebooks written in a temporary folder: it keeps state between cells,
/// stops at the first broken cell and names it, writes outputs back, and builds missing dlls.
/// </summary>
[TestFixture]
[Category("Notebooks")]
public class RunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private string folder = "";

    [SetUp]
    public void CreateFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "notebook-runner-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        // Keeps MSBuild from picking up settings from folders above the temporary one.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />\n");
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Cells_share_state_and_usings_await_at_top_level_and_show_a_trailing_value()
    {
        var notebook = Runner.WriteNotebook(folder, "state.ipynb",
            "using System.Text.Json;\nvar greeting = \"Hello\";",
            "await Task.Delay(10);\nvar answer = 6 * 7;\nConsole.WriteLine(\"computed\");",
            "$\"{greeting}, {answer}\"",
            "JsonSerializer.Serialize(new[] { 1, 2 })");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output, Does.Contain("computed\n").And.Contain("Hello, 42\n").And.Contain("[1,2]\n"));
        Assert.That(result.Output, Does.Contain("All 4 C# cells of state.ipynb ran in"));
    }

    [Test]
    public async Task A_cell_that_does_not_compile_stops_the_run_and_is_named_by_number_and_first_line()
    {
        var notebook = Runner.WriteNotebook(folder, "broken.ipynb",
            "Console.WriteLine(\"first cell ran\");",
            "int broken = \"text\";\nConsole.WriteLine(\"never\");",
            "Console.WriteLine(\"after the broken cell\");");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        Assert.That(result.Output, Does.Contain("first cell ran"));
        // Cell 3 of the notebook (the markdown cell is cell 1), the second C# cell to run.
        Assert.That(result.Output, Does.Contain("broken.ipynb: cell 3 [2] failed: int broken = \"text\";"));
        Assert.That(result.Output, Does.Contain("line 1, column 14: CS0029"));
        Assert.That(result.Output, Does.Not.Contain("after the broken cell"));
    }

    [Test]
    public async Task A_cell_that_throws_stops_the_run_and_is_named_with_the_exception()
    {
        var notebook = Runner.WriteNotebook(folder, "throws.ipynb",
            "var ready = false;",
            "// Calls a server that is not there.\nif (!ready)\n{\n    throw new InvalidOperationException(\"The server is not running.\");\n}",
            "Console.WriteLine(\"after the failing cell\");");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        Assert.That(result.Output, Does.Contain("throws.ipynb: cell 3 [2] failed: // Calls a server that is not there."));
        Assert.That(result.Output, Does.Contain("System.InvalidOperationException: The server is not running."));
        Assert.That(result.Output, Does.Contain("throws.ipynb cell 3:line 4"), "The stack trace should point at the line in the cell.");
        Assert.That(result.Output, Does.Not.Contain("after the failing cell"));
    }

    [Test]
    public async Task A_cell_that_never_finishes_is_stopped_by_the_cell_timeout()
    {
        var notebook = Runner.WriteNotebook(folder, "hangs.ipynb",
            "Console.WriteLine(\"waiting forever\");\nawait Task.Delay(System.Threading.Timeout.Infinite);",
            "Console.WriteLine(\"never reached\");");

        var result = await Runner.RunAsync(Timeout, notebook, "--cell-timeout", "2");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        Assert.That(result.Output, Does.Contain("hangs.ipynb: cell 2 [1] failed: Console.WriteLine(\"waiting forever\");"));
        Assert.That(result.Output, Does.Contain("The cell did not finish within 2 s."));
        Assert.That(result.Output, Does.Not.Contain("never reached"));
    }

    [Test]
    public async Task Write_outputs_saves_streams_values_and_the_error_as_nbformat_4_outputs()
    {
        var notebook = Runner.WriteNotebook(folder, "outputs.ipynb",
            "Console.WriteLine(\"line one\");\nConsole.Error.WriteLine(\"a warning\");",
            "1 + 2",
            "throw new ArgumentException(\"bad argument\");",
            "Console.WriteLine(\"not run\");");

        var result = await Runner.RunAsync(Timeout, notebook, "--write-outputs");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        var saved = JsonNode.Parse(File.ReadAllText(notebook))!;
        Assert.That(Nbformat.Problems(saved), Is.Empty, "The notebook with outputs must still be valid nbformat 4.");
        Assert.That(Nbformat.PolyglotProblems(saved), Is.Empty, "Writing outputs must keep the Polyglot metadata.");
        var cells = saved["cells"]!.AsArray();

        Assert.That(cells[1]!["execution_count"]!.GetValue<int>(), Is.EqualTo(1));
        var streams = cells[1]!["outputs"]!.AsArray();
        Assert.That(streams.Select(o => (o!["output_type"]!.GetValue<string>(), o["name"]!.GetValue<string>(), Text(o["text"]))),
            Is.EqualTo(new[] { ("stream", "stdout", "line one\n"), ("stream", "stderr", "a warning\n") }));

        var value = cells[2]!["outputs"]!.AsArray().Single()!;
        Assert.That(value["output_type"]!.GetValue<string>(), Is.EqualTo("execute_result"));
        Assert.That(value["execution_count"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(Text(value["data"]!["text/plain"]), Is.EqualTo("3"));

        var error = cells[3]!["outputs"]!.AsArray().Single()!;
        Assert.That(error["output_type"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(error["ename"]!.GetValue<string>(), Is.EqualTo("System.ArgumentException"));
        Assert.That(error["evalue"]!.GetValue<string>(), Is.EqualTo("bad argument"));

        Assert.That(cells[4]!["execution_count"], Is.Null, "A cell after the failure did not run.");
        Assert.That(cells[4]!["outputs"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_missing_dll_is_built_from_the_project_next_to_its_bin_folder()
    {
        var library = Path.Combine(folder, "Greeter");
        Directory.CreateDirectory(library);
        File.WriteAllText(Path.Combine(library, "Greeter.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "Greeter.cs"), """
            public static class Greeter
            {
                public static string Greet(string name) => $"Hi, {name}, from a library built for this run.";
            }
            """);
        var notebook = Runner.WriteNotebook(Path.Combine(folder, "notebooks"), "library.ipynb",
            "#r \"../Greeter/bin/Debug/net10.0/Greeter.dll\"",
            "Greeter.Greet(\"runner\")");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output, Does.Contain("../Greeter/bin/Debug/net10.0/Greeter.dll is missing: building ").And.Contain("Greeter.csproj (Debug)..."));
        Assert.That(result.Output, Does.Contain("Hi, runner, from a library built for this run."));
        Assert.That(File.Exists(Path.Combine(library, "bin", "Debug", "net10.0", "Greeter.dll")), Is.True);
    }

    [Test]
    public async Task A_missing_dll_that_no_project_builds_is_named_before_anything_runs()
    {
        var notebook = Runner.WriteNotebook(folder, "missing.ipynb",
            "Console.WriteLine(\"should not run\");",
            "#r \"nowhere/Missing.dll\"");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        Assert.That(result.Output, Does.Contain("Cell 3 (#r \"nowhere/Missing.dll\") references nowhere/Missing.dll, which does not exist"));
        Assert.That(result.Output, Does.Not.Contain("should not run"));
    }

    [Test]
    public async Task A_NuGet_reference_is_refused_with_what_to_do_instead()
    {
        var notebook = Runner.WriteNotebook(folder, "nuget.ipynb", "#r \"nuget: Humanizer, 2.14.1\"");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Output);
        Assert.That(result.Output, Does.Contain("Cell 2 (#r \"nuget: Humanizer, 2.14.1\") asks for a NuGet package"));
        Assert.That(result.Output, Does.Contain("reference a built dll instead"));
    }

    [Test]
    public void The_format_check_finds_what_is_wrong_with_a_notebook()
    {
        // The checks the chapter notebooks pass must be able to fail.
        var notebook = JsonNode.Parse("""
            {
              "cells": [
                { "cell_type": "code", "id": "a", "metadata": {}, "source": 42, "outputs": [{ "output_type": "stream", "name": "stdin", "text": "x" }] },
                { "cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Title", "outputs": [] }
              ],
              "metadata": { "kernelspec": { "name": "python3" } },
              "nbformat": 3,
              "nbformat_minor": 5
            }
            """);

        var problems = Nbformat.Problems(notebook);
        Assert.That(problems, Has.Some.Contains("nbformat must be 4"));
        Assert.That(problems, Has.Some.Contains("cell 1: source must be a string or an array of strings"));
        Assert.That(problems, Has.Some.Contains("cell 1: a code cell needs execution_count"));
        Assert.That(problems, Has.Some.Contains("a stream's name must be stdout or stderr"));
        Assert.That(problems, Has.Some.Contains("cell 2: the id 'a' is used twice"));
        Assert.That(problems, Has.Some.Contains("cell 2 has 'outputs', which nbformat 4 does not allow there"));

        var polyglot = Nbformat.PolyglotProblems(notebook);
        Assert.That(polyglot, Has.Some.Contains("kernelspec.name must be '.net-csharp'"));
        Assert.That(polyglot, Has.Some.Contains("defaultKernelName must be 'csharp'"));
        Assert.That(polyglot, Has.Some.Contains("cell 1: metadata.polyglot_notebook.kernelName must be 'csharp'"));
    }

    private static string Text(JsonNode? node) => node is JsonArray lines
        ? string.Concat(lines.Select(l => l!.GetValue<string>()))
        : node!.GetValue<string>();
}
