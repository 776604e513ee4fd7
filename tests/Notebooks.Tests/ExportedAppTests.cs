namespace StreamingTutorial.Notebooks.Tests;

/// <summary>
/// The notebooks as file-based apps, notebooks/apps/NN-x.cs, made by the runner's --export: each
/// is what --export makes of its notebook now, and each runs with <c>dotnet run</c> and prints
/// the lines its notebook prints.
/// </summary>
[TestFixture]
[Category("Notebooks")]
[Parallelizable(ParallelScope.All)]
public class ExportedAppTests
{
    private static readonly string AppsFolder = Path.Combine(Runner.Root, "notebooks", "apps");

    [Test]
    public void Every_notebook_has_its_app()
    {
        var apps = Directory.GetFiles(AppsFolder, "*.cs").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.That(apps, Is.EqualTo(ChapterNotebookTests.ExpectedLines.Keys.Order(StringComparer.Ordinal)),
            "notebooks/apps/ should hold one NN-chapter.cs per notebook.");
    }

    [TestCaseSource(typeof(ChapterNotebookTests), nameof(ChapterNotebookTests.Notebooks))]
    public async Task App_is_what_export_makes_of_its_notebook(string name)
    {
        // Beside apps/, so that the paths in the #:project lines come out the same.
        var folder = Path.Combine(Runner.Root, "notebooks", ".export-check-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await Runner.RunAsync(TimeSpan.FromMinutes(3), $"notebooks/{name}.ipynb", "--export", folder);

            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(File.ReadAllText(Path.Combine(folder, name + ".cs")), Is.EqualTo(File.ReadAllText(Path.Combine(AppsFolder, name + ".cs"))),
                $"notebooks/apps/{name}.cs is not what the notebook exports to now. Export it again: " +
                $"dotnet run --project tools/NotebookRunner -- notebooks/{name}.ipynb --export notebooks/apps");
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [TestCaseSource(typeof(ChapterNotebookTests), nameof(ChapterNotebookTests.Notebooks))]
    public async Task App_runs_with_dotnet_run_and_prints_what_its_notebook_prints(string name)
    {
        // The chapter's projects are built with this test project; the app need not build them again.
        var result = await Runner.DotnetAsync(TimeSpan.FromMinutes(5), "run", $"notebooks/apps/{name}.cs", "-p:BuildProjectReferences=false");

        Assert.That(result.ExitCode, Is.Zero, $"dotnet run notebooks/apps/{name}.cs failed:\n{result.Output}");
        var missing = ChapterNotebookTests.MissingLines(name, result.Output);
        Assert.That(missing, Is.Empty, $"notebooks/apps/{name}.cs did not print lines matching:\n{string.Join("\n", missing)}\n\nIt printed:\n{result.Output}");
    }
}
