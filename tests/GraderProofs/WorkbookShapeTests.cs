using System.Text.RegularExpressions;
using StreamingTutorial.Grading;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// Checks the workbook holds together: chapters.json, the starters, the solutions and
/// book.md agree with each other.
/// </summary>
[TestFixture]
[Category("Workbook")]
public partial class WorkbookShapeTests
{
    internal static readonly string Root = WorkbookPaths.FindRoot();

    private static IEnumerable<TestCaseData> Chapters() =>
        ChapterCatalog.Current.Chapters.Select(c => new TestCaseData(c).SetArgDisplayNames($"chapter {c.Number}"));

    private static IEnumerable<TestCaseData> Exercises() =>
        ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises.Select(e => new TestCaseData(c, e).SetArgDisplayNames($"exercise {e.Id}")));

    [TestCaseSource(nameof(Exercises))]
    public void Every_exercise_starts_unsolved_with_its_TODO(Chapter chapter, Exercise exercise)
    {
        var starter = File.ReadAllText(Path.Combine(Root, "chapters", chapter.Folder, exercise.File));
        Assert.That(starter, Does.Contain($"// {exercise.Todo}:"), $"chapters/{chapter.Folder}/{exercise.File} should explain exercise {exercise.Id} in a '// {exercise.Todo}:' comment.");
        Assert.That(starter, Does.Contain($"throw new NotImplementedException(\"{exercise.Todo}: {exercise.Name}\")"),
            $"The starter of exercise {exercise.Id} should throw NotImplementedException(\"{exercise.Todo}: {exercise.Name}\") so the graders report it as not started.");
        Assert.That(exercise.Hints, Is.Not.Empty, $"Exercise {exercise.Id} needs at least one hint in chapters.json.");
    }

    [TestCaseSource(nameof(Chapters))]
    public void Every_solution_is_complete(Chapter chapter)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "solutions", chapter.Folder), "*.cs"))
        {
            var text = File.ReadAllText(file);
            Assert.That(text, Does.Not.Contain("NotImplementedException").And.Not.Contain("// TODO"), $"{Path.GetRelativePath(Root, file)} still has a TODO.");
        }
    }

    [TestCaseSource(nameof(Chapters))]
    public void Starter_and_solution_have_the_same_files(Chapter chapter)
    {
        // Folders the workbook's .gitignore names (bin/, obj/, and what a server run by hand stores:
        // server-files/, uploads/) are no part of either side.
        var ignored = File.ReadAllLines(Path.Combine(Root, ".gitignore"))
            .Where(l => l.EndsWith('/') && !l.StartsWith('/') && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);
        List<string> Files(string folder) =>
            Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
                .Where(f => !f.Split('/')[..^1].Any(ignored.Contains) && f != "README.md")
                .Order(StringComparer.Ordinal)
                .ToList();

        var starter = Path.Combine(Root, "chapters", chapter.Folder);
        Assert.That(Files(starter), Is.EqualTo(Files(Path.Combine(Root, "solutions", chapter.Folder))),
            "A solution must drop in place of its starter file for file.");
        Assert.That(File.Exists(Path.Combine(starter, "README.md")), $"chapters/{chapter.Folder} needs a README.md task sheet.");
        Assert.That(File.Exists(Path.Combine(starter, chapter.Project)), $"chapters.json names {chapter.Project}, which is not in chapters/{chapter.Folder}.");
    }

    [TestCaseSource(nameof(Chapters))]
    public void The_book_has_a_section_for_every_chapter(Chapter chapter)
    {
        var book = File.ReadAllText(Path.Combine(Root, "book.md"));
        Assert.That(book, Does.Contain($"\n## Chapter {chapter.Number}: {chapter.Title}\n"),
            $"book.md should have a section headed '## Chapter {chapter.Number}: {chapter.Title}' (the title in chapters.json).");
    }

    [Test]
    public void Every_snippet_in_the_book_is_the_solution_code_it_names()
    {
        var book = File.ReadAllText(Path.Combine(Root, "book.md")).Replace("\r\n", "\n");
        var snippets = SnippetPattern().Matches(book);
        Assert.That(snippets, Is.Not.Empty, "book.md quotes no solution code; expected '<!-- snippet: path#name -->' blocks.");
        Assert.Multiple(() =>
        {
            foreach (Match snippet in snippets)
            {
                var path = snippet.Groups["path"].Value;
                var name = snippet.Groups["name"].Value;
                var source = ReadSnippet(Path.Combine(Root, path), name);
                Assert.That(snippet.Groups["code"].Value, Is.EqualTo(source),
                    $"The snippet '{name}' in book.md differs from {path}. Copy the code between '// snippet: {name}' and '// end snippet' into the book.");
            }
        });
    }

    /// <summary>The lines between "// snippet: name" and "// end snippet", without their common indentation.</summary>
    private static string ReadSnippet(string file, string name)
    {
        Assert.That(File.Exists(file), $"book.md quotes {file}, which does not exist.");
        var lines = File.ReadAllText(file).Replace("\r\n", "\n").Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == $"// snippet: {name}");
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"{file} has no '// snippet: {name}' line.");
        var end = Array.FindIndex(lines, start + 1, l => l.Trim() == "// end snippet");
        Assert.That(end, Is.GreaterThan(start), $"{file}: snippet '{name}' has no '// end snippet' line.");
        var body = lines[(start + 1)..end];
        var indent = body.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }


    [GeneratedRegex(@"<!-- snippet: (?<path>[^#]+)#(?<name>[^ ]+) -->\n```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();
}
