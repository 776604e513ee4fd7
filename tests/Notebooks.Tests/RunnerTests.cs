using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingTutorial.Notebooks.Tests;

/// <summary>
/// The runner on small notebooks written in a temporary folder: it keeps state between cells,
/// stops at the first broken cell and names it, writes outputs back, and builds missing dlls.
/// </summary>
[TestFixture]
[Category("Notebooks")]
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
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
        Assert.That(result.Output, Does.Contain("at Submission#"), "The stack trace should show the cell's frame.");
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
    public async Task Write_outputs_changes_only_the_outputs_and_keeps_the_file_layout()
    {
        var notebook = Runner.WriteNotebook(folder, "layout.ipynb", "Console.WriteLine(\"hello\");", "40 + 2");
        // As notebooks are kept in git: two-space indents and a final newline.
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var original = JsonNode.Parse(File.ReadAllText(notebook))!.ToJsonString(indented) + "\n";
        File.WriteAllText(notebook, original);

        var result = await Runner.RunAsync(Timeout, notebook, "--write-outputs");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        var saved = File.ReadAllText(notebook);
        var cells = JsonNode.Parse(saved)!["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToList();
        Assert.That(cells.Select(c => c!["outputs"]!.AsArray().Count), Is.EqualTo(new[] { 1, 1 }));
        // The original text with only each code cell's execution count and outputs filled in.
        var expected = original;
        foreach (var cell in cells)
        {
            var outputs = cell!["outputs"]!.ToJsonString(indented).Replace("\n", "\n      ", StringComparison.Ordinal);
            expected = ReplaceFirst(expected, "\"execution_count\": null", $"\"execution_count\": {cell["execution_count"]}");
            expected = ReplaceFirst(expected, "\"outputs\": []", $"\"outputs\": {outputs}");
        }
        Assert.That(saved, Is.EqualTo(expected), "Only outputs and execution counts may change.");
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"'{what}' not found in the notebook as written.");
        return string.Concat(text.AsSpan(0, at), with, text.AsSpan(at + what.Length));
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
    public async Task Output_written_after_its_cell_ended_is_not_shown_as_in_a_notebook_editor()
    {
        // The kernel gives a cell the output written while it runs, by the cell and the tasks it
        // starts; a task started in an earlier cell writes nowhere. Chapter 5 is written for this.
        var notebook = Runner.WriteNotebook(folder, "background.ipynb",
            "var go = new TaskCompletionSource();\nvar done = new TaskCompletionSource();\n_ = Task.Run(async () => { await go.Task; Console.WriteLine(\"from an earlier cell's task\"); done.SetResult(); });",
            "go.SetResult();\nawait done.Task;\nawait Task.Run(() => Console.WriteLine(\"from this cell's task\"));");

        var result = await Runner.RunAsync(Timeout, notebook);

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output, Does.Contain("from this cell's task"));
        Assert.That(result.Output, Does.Not.Contain("from an earlier cell's task"));
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
