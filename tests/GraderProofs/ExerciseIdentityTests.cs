using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// An exercise is named once, in chapters.json: every other place that names it must agree. The
/// starters' TODOs are checked in <see cref="WorkbookShapeTests"/>; here, the chapters' task
/// sheets (README.md) and the grader projects' tests, whose Exercise property is how the
/// workbook tool knows which exercise a result is for.
/// </summary>
[TestFixture]
[Category("Workbook")]
public partial class ExerciseIdentityTests
{
    private static readonly string Root = WorkbookPaths.FindRoot();

    private static IEnumerable<TestCaseData> Chapters() =>
        ChapterCatalog.Current.Chapters.Select(c => new TestCaseData(c).SetArgDisplayNames($"chapter {c.Number}"));

    [TestCaseSource(nameof(Chapters))]
    public void The_task_sheet_lists_the_exercises_of_the_catalog(Chapter chapter)
    {
        var readme = Path.Combine(WorkbookPaths.Relative.ChapterFolder(chapter), "README.md").Replace('\\', '/');
        var rows = ExerciseRows().Matches(File.ReadAllText(Path.Combine(Root, readme)).Replace("\r\n", "\n"))
            .Select(m => (Id: m.Groups["id"].Value, File: m.Groups["file"].Value, What: m.Groups["what"].Value))
            .ToList();
        // The table as the catalog would have it; the text after each method's name is the task sheet's own.
        var expected = chapter.Exercises.Select(e => $"| {e.Id} | `{e.File}` | {(e.Side == ExerciseLookup.TestsSide ? "..." : $"`{e.Name}`...")}").ToList();
        var actual = rows.Select(r => $"| {r.Id} | `{r.File}` | {(r.What.StartsWith('`') ? r.What[..(r.What.IndexOf('`', 1) + 1)] + "..." : "...")}").ToList();
        Assert.That(actual, Is.EqualTo(expected),
            $"{readme}'s table of exercises should list chapters.json's exercises of chapter {chapter.Number} in order: id, file, and the method to write first in the third column.");
    }

    [TestCaseSource(nameof(Chapters))]
    public void Every_grader_test_names_an_exercise_of_its_chapter_and_every_exercise_has_one(Chapter chapter)
    {
        var tests = GraderTests(chapter);
        Assert.That(tests, Is.Not.Empty, $"{WorkbookPaths.Relative.GraderName(chapter)} has no tests.");
        Assert.Multiple(() =>
        {
            foreach (var (name, exercise, category, notRunnable) in tests)
            {
                Assert.That(exercise, Is.Not.Null, $"The grader test '{name}' has no {ExerciseLookup.TestProperty} property: the workbook tool cannot tell which exercise it grades."
                    + (notRunnable is null ? "" : $" NUnit could not make it: {notRunnable}"));
                Assert.That(chapter.Exercises.Select(e => e.Id), Does.Contain(exercise),
                    $"The grader test '{name}' grades exercise {exercise}, which chapter {chapter.Number} of chapters.json does not have.");
                Assert.That(category, Is.EqualTo(WorkbookPaths.Relative.Category(chapter)), $"The grader test '{name}' should be in the chapter's category (dotnet test --filter Category=...).");
            }
            foreach (var exercise in chapter.Exercises)
            {
                Assert.That(tests.Select(t => t.Exercise), Does.Contain(exercise.Id), $"Exercise {exercise.Id} ({exercise.Name}) has no grader test in {WorkbookPaths.Relative.GraderName(chapter)}.");
            }
        });
    }

    /// <summary>
    /// The grader project's tests as NUnit finds them (its own NUnit, loaded apart: the grader is
    /// built against the starters, whose assemblies have the solutions' names).
    /// </summary>
    private static List<(string Name, string? Exercise, string? Category, string? NotRunnable)> GraderTests(Chapter chapter)
    {
        // The graders are built with the same configuration as this project (see its project file).
        var output = Path.GetRelativePath(Path.Combine(Root, "tests", "GraderProofs"), AppContext.BaseDirectory);
        var folder = Path.Combine(Root, WorkbookPaths.Relative.GraderFolder(chapter), output);
        var assembly = Path.Combine(folder, WorkbookPaths.Relative.GraderName(chapter) + ".dll");
        Assert.That(File.Exists(assembly), $"{assembly} is not built.");
        var context = new GraderContext(folder);
        try
        {
            var tests = context.LoadFromAssemblyPath(assembly);
            var nunit = context.LoadFromAssemblyName(tests.GetReferencedAssemblies().First(a => a.Name == "nunit.framework"));
            var controllerType = nunit.GetType("NUnit.Framework.Api.FrameworkController", throwOnError: true)!;
            var controller = Activator.CreateInstance(controllerType, tests, "0-", (IDictionary)new Dictionary<string, object>())!;
            controllerType.GetMethod("LoadTests", Type.EmptyTypes)!.Invoke(controller, null);
            var xml = (string)controllerType.GetMethod("ExploreTests", [typeof(string)])!.Invoke(controller, ["<filter/>"])!;
            string? Property(XElement test, string name) =>
                test.Element("properties")?.Elements("property").FirstOrDefault(p => (string?)p.Attribute("name") == name)?.Attribute("value")?.Value;
            return XDocument.Parse(xml).Descendants("test-case")
                // A test case source that throws (an exercise chapters.json lacks) gives one test NUnit cannot run, and says why.
                .Select(t => ((string?)t.Attribute("name") ?? "", Property(t, ExerciseLookup.TestProperty), Property(t, "Category"), Property(t, "_SKIPREASON")))
                .ToList();
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Loads a grader and what it references from the grader's output folder; the shared framework from the default context.</summary>
    private sealed class GraderContext(string folder) : AssemblyLoadContext("grader " + folder, isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }

    [TestCaseSource(nameof(Chapters))]
    public void Each_exercise_comment_in_the_code_names_that_exercise_in_its_file(Chapter chapter)
    {
        // "// Exercise 4.3" above a method, in the starter and the solution: a reader's signpost that
        // would go stale unseen when an exercise is renumbered or moved.
        var codeExercises = chapter.Exercises.Where(e => e.Side != ExerciseLookup.TestsSide).ToList();
        Assert.Multiple(() =>
        {
            foreach (var folder in new[] { WorkbookPaths.Relative.ChapterFolder(chapter), WorkbookPaths.Relative.SolutionFolder(chapter) })
            {
                var found = Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
                    .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                    .SelectMany(f => ExerciseComment().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(Path.Combine(Root, folder), f).Replace('\\', '/'), Id: m.Groups["id"].Value)))
                    .ToList();
                foreach (var (file, id) in found)
                {
                    var exercise = codeExercises.FirstOrDefault(e => e.Id == id);
                    Assert.That(exercise, Is.Not.Null, $"{folder}/{file} has a '// Exercise {id}' comment, but chapter {chapter.Number} of chapters.json has no code exercise {id}.");
                    Assert.That(exercise?.File, Is.EqualTo(file).Or.Null, $"{folder}/{file}'s '// Exercise {id}' comment: chapters.json puts exercise {id} in {exercise?.File}.");
                }
                foreach (var exercise in codeExercises)
                {
                    Assert.That(found.Count(f => f.Id == exercise.Id), Is.EqualTo(1), $"{folder}/{exercise.File} should mark exercise {exercise.Id} ({exercise.Name}) with one '// Exercise {exercise.Id}' comment.");
                }
            }
        });
    }

    // "| 1.3 | `FileServiceImpl.cs` | `WriteFile`: store the file ... |"
    [GeneratedRegex(@"^\| (?<id>\d+\.\w+) \| `(?<file>[^`]+)` \| (?<what>.*) \|$", RegexOptions.Multiline)]
    private static partial Regex ExerciseRows();

    [GeneratedRegex(@"^\s*// Exercise (?<id>\d+\.\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExerciseComment();
}
