using StreamingTutorial.BookExamples;
using StreamingTutorial.Grading;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// The book teaches without answering: its examples run, and no line a solution adds to its
/// starter (the exercise's own code) is in book.md before that chapter's "Your turn".
/// </summary>
[TestFixture]
[Category("Workbook")]
public class BookTests
{
    /// <summary>Shorter lines ("}", "return total;") say nothing about an exercise.</summary>
    private const int MeaningfulLength = 20;

    private static IEnumerable<TestCaseData> Chapters() =>
        ChapterCatalog.Current.Chapters.Select(c => new TestCaseData(c).SetArgDisplayNames($"chapter {c.Number}"));

    [TestCaseSource(nameof(Chapters))]
    public void The_book_gives_no_line_of_the_chapters_solutions_before_Your_turn(Chapter chapter)
    {
        var book = File.ReadAllText(Path.Combine(WorkbookShapeTests.Root, "book.md")).Replace("\r\n", "\n");
        // Whole lines, trimmed: a code block in the book has the solution's lines as lines.
        var before = BookBeforeYourTurn(book, chapter).Split('\n').Select(l => l.Trim()).ToHashSet();
        // A test exercise (N.T) reuses the testing idioms earlier chapters' "Testing it" sections
        // teach on purpose (hosting on a TestServer, Assert.ThrowsAsync): its lines are looked for
        // in this chapter's own text only.
        var heading = book.IndexOf($"\n## Chapter {chapter.Number}: ", StringComparison.Ordinal);
        var ownText = BookBeforeYourTurn(book, chapter)[heading..].Split('\n').Select(l => l.Trim()).ToHashSet();
        var testFiles = chapter.Exercises.Where(e => e.Side == "tests").Select(e => $"solutions/{chapter.Folder}/{e.File}").ToHashSet();
        var given = SolutionLines(chapter)
            .Where(line => (testFiles.Contains(line.File) ? ownText : before).Contains(line.Text))
            .Select(line => $"{line.File}: {line.Text}");
        Assert.That(given, Is.Empty,
            $"book.md quotes these lines of chapter {chapter.Number}'s solutions before the chapter's \"Your turn\": teach with the book's own examples (examples/BookExamples) instead.");
    }

    [TestCaseSource(nameof(Chapters))]
    public void Every_solution_adds_lines_the_check_can_look_for(Chapter chapter) =>
        Assert.That(SolutionLines(chapter), Is.Not.Empty, $"Chapter {chapter.Number}'s solutions add no line of {MeaningfulLength}+ characters to the starters: the check above would check nothing.");

    [Test]
    public async Task The_books_examples_run_and_give_what_the_book_says()
    {
        Assert.That(await Examples.RunAllAsync(TestContext.Out), Is.True, "An example of the book did not give what it should; see the output.");
    }

    /// <summary>Everything in book.md up to this chapter's "### Your turn" (earlier chapters included).</summary>
    internal static string BookBeforeYourTurn(string book, Chapter chapter)
    {
        var heading = book.IndexOf($"\n## Chapter {chapter.Number}: ", StringComparison.Ordinal);
        Assert.That(heading, Is.GreaterThanOrEqualTo(0), $"book.md has no chapter {chapter.Number}.");
        var yourTurn = book.IndexOf("\n### Your turn", heading, StringComparison.Ordinal);
        Assert.That(yourTurn, Is.GreaterThan(heading), $"Chapter {chapter.Number} of book.md has no '### Your turn'.");
        return book[..yourTurn];
    }

    /// <summary>The lines (trimmed, 20+ characters) each solution file of the chapter has and its starter has not: the exercises' code.</summary>
    internal static List<(string File, string Text)> SolutionLines(Chapter chapter)
    {
        var lines = new List<(string, string)>();
        foreach (var file in chapter.Exercises.Select(e => e.File).Distinct())
        {
            var starter = File.ReadAllLines(Path.Combine(WorkbookShapeTests.Root, "chapters", chapter.Folder, file)).Select(l => l.Trim()).ToHashSet();
            lines.AddRange(File.ReadAllLines(Path.Combine(WorkbookShapeTests.Root, "solutions", chapter.Folder, file))
                .Select(l => l.Trim())
                .Where(l => l.Length >= MeaningfulLength && !starter.Contains(l) && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith("///", StringComparison.Ordinal))
                .Distinct()
                .Select(l => ($"solutions/{chapter.Folder}/{file}", l)));
        }
        return lines;
    }
}
