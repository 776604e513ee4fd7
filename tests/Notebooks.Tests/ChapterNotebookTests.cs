using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Notebooks.Tests;

/// <summary>The chapters' notebooks: their format, and a full run of each under the runner.</summary>
[TestFixture]
[Category("Notebooks")]
[Parallelizable(ParallelScope.All)]
public class ChapterNotebookTests
{
    private static readonly string NotebooksFolder = Path.Combine(Runner.Root, "notebooks");

    /// <summary>
    /// What each notebook must print, one regular expression per line of output: a line from
    /// each call kind the chapter teaches, and one from its chapter's own client code.
    /// </summary>
    internal static readonly Dictionary<string, string[]> ExpectedLines = new()
    {
        ["01-unary"] =
        [
            @"Server listening on http://127\.0\.0\.1:\d+",
            "Hello, Ada!",
            @"Refused: InvalidArgument, ""Name is required\.""",
            @"Server time: \d\d:\d\d:\d\d\.\d{3} UTC",
            "With a deadline in the past: DeadlineExceeded",
            "Stored hello.txt: 24 bytes",
            @"Refused: InvalidArgument, ""File name '\.\./escape\.txt' must be a plain name, without folders\.""",
            "Hello, notebook!",
            "Files on the server: hello.txt, notes.txt",
            "Server stopped.",
        ],
        ["02-server-streaming"] =
        [
            @"\[1\] \d\d:\d\d:\d\d\.\d{3} UTC, +\d+ ms after the call began",
            @"\[5\] \d\d:\d\d:\d\d\.\d{3} UTC, +\d+ ms after the call began",
            "Received 5 time updates, then stopped the stream.",
            @"Cancelled after \d+ updates: Cancelled",
            "#5: [1-6]",
            "The server ended the stream with OK.",
            @"The deadline passed after \d+ of 50 numbers\.",
            @"Refused: InvalidArgument, ""min \(10\) must not be greater than max \(1\)\.""",
            @"ReadTimeUpdatesAsync: \[3\] .* UTC",
            @"ReadNumbersAsync kept \d+ of 20 numbers: .*",
            "Server stopped.",
        ],
        ["03-client-streaming-uploader"] =
        [
            "Sent chunk #5",
            "The server counted 5 chunks, 5120 bytes.",
            @" +1048576 of 2621440 bytes sent \(40%\)",
            @" +2621440 of 2621440 bytes sent \(100%\)",
            "Stored as 'photo.bin': 2621440 bytes in 3 chunks",
            "The server's SHA-256 matches the file's: True",
            @"Refused: InvalidArgument, ""File name '\.\./escape\.bin' must be a plain name, without folders\.""",
            "In the server's folder: photo.bin",
            "UploadRandomChunksAsync: the server counted 3 chunks, 1536 bytes.",
            "Server stopped.",
        ],
        ["04-client-streaming-sum"] =
        [
            "1 2 3 4 5 6 7 8 9 10 sent",
            "Sum: 55",
            @"Refused: OutOfRange, ""The sum 2147483648 does not fit in an int32 .*""",
            "  sending greenhouse-south: .*",
            "Summary: 8 readings, .*",
            "Sum of nothing: 0",
            "Summary of nothing: 0 readings",
            "5050",
            "Server stopped.",
        ],
        ["05-bidirectional-chat"] =
        [
            @"\[screen 1\] \[\d\d:\d\d:\d\d\] Client\(1\) has joined the chat",
            @"\[screen 2\] \[\d\d:\d\d:\d\d\] Client\(2\) has joined the chat",
            @"\[screen 2\] \[\d\d:\d\d:\d\d\] Client\(1\): Hello, is anyone here\?",
            @"\[screen 1\] \[\d\d:\d\d:\d\d\] Client\(2\): Hi! Client\(2\) here\.",
            "The same order on both screens: True",
            @"\[screen 1\] \[\d\d:\d\d:\d\d\] Client\(2\) has left the chat",
            "Client\\(2\\)'s call ended with OK.",
            @"\[screen 3\] \[\d\d:\d\d:\d\d\] Client\(3\): Hello from ChatAsync!",
            "Server stopped.",
        ],
    };

    internal static IEnumerable<TestCaseData> Notebooks() =>
        ExpectedLines.Keys.Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    private static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(NotebooksFolder, name + ".ipynb")))!;

    private static List<JsonNode> Cells(JsonNode notebook, string type) =>
        notebook["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == type).Select(c => c!).ToList();

    private static string Source(JsonNode cell) => cell["source"] is JsonArray lines
        ? string.Concat(lines.Select(l => l!.GetValue<string>()))
        : cell["source"]!.GetValue<string>();

    [Test]
    public void Every_chapter_has_a_notebook_and_every_notebook_is_checked()
    {
        // solutions/NN-x.Tests are the chapters' test projects (exercises N.T), not chapters.
        var chapters = Directory.GetDirectories(Path.Combine(Runner.Root, "solutions")).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".Tests", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var notebooks = Directory.GetFiles(NotebooksFolder, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.That(notebooks, Is.EqualTo(chapters), "notebooks/ should hold one NN-chapter.ipynb per folder of solutions/.");
        Assert.That(ExpectedLines.Keys.Order(StringComparer.Ordinal), Is.EqualTo(notebooks), "Every notebook needs its expected lines in this test.");
    }

    [TestCaseSource(nameof(Notebooks))]
    public void Notebook_is_nbformat_4(string name)
    {
        var problems = Nbformat.Problems(Load(name));
        Assert.That(problems, Is.Empty, $"{name}.ipynb is not valid nbformat 4:\n{string.Join("\n", problems)}");
    }

    [TestCaseSource(nameof(Notebooks))]
    public void Notebook_opens_as_a_Polyglot_CSharp_notebook(string name)
    {
        var problems = Nbformat.PolyglotProblems(Load(name));
        Assert.That(problems, Is.Empty, $"{name}.ipynb lacks Polyglot Notebooks metadata:\n{string.Join("\n", problems)}");
    }

    [TestCaseSource(nameof(Notebooks))]
    public void Notebook_loads_its_own_chapter_and_ends_with_a_playground(string name)
    {
        var notebook = Load(name);
        var references = Cells(notebook, "code").SelectMany(c => Regex.Matches(Source(c), "^#r \"(?<path>[^\"]+)\"", RegexOptions.Multiline))
            .Select(m => m.Groups["path"].Value).ToList();
        Assert.That(references, Is.Not.Empty.And.All.StartsWith($"../solutions/{name}/bin/Debug/net10.0/"),
            "Every #r line should load the chapter's own solution, relative to the notebook.");

        var headings = Cells(notebook, "markdown").Select(Source).ToList();
        Assert.That(headings[0], Does.StartWith("# Chapter "), "The notebook should open with the chapter's title.");
        Assert.That(headings, Has.Some.Contains("**Try it"), "The notebook should have \"Try it\" prompts.");
        var cells = notebook["cells"]!.AsArray().Select(c => c!).ToList();
        var playground = cells.FindIndex(c => c["cell_type"]!.GetValue<string>() == "markdown" && Source(c).StartsWith("## Playground", StringComparison.Ordinal));
        Assert.That(playground, Is.GreaterThan(0), "The notebook should have a ## Playground section near its end.");
        Assert.That(cells[playground + 1]["cell_type"]!.GetValue<string>(), Is.EqualTo("code"), "The playground heading should be followed by a cell to play in.");
        Assert.That(cells.Skip(playground + 2).Count(c => c["cell_type"]!.GetValue<string>() == "code"), Is.EqualTo(1),
            "After the playground comes only the cell that stops the server.");
    }

    [TestCaseSource(nameof(Notebooks))]
    public async Task Notebook_runs_green_and_shows_its_calls(string name)
    {
        var codeCells = Cells(Load(name), "code").Count;
        var result = await Runner.RunAsync(TimeSpan.FromMinutes(4), $"notebooks/{name}.ipynb", "--cell-timeout", "60");

        Assert.That(result.ExitCode, Is.Zero, $"{name}.ipynb failed under the runner:\n{result.Output}");
        Assert.That(result.Output, Does.Contain($"All {codeCells} C# cells of {name}.ipynb ran in"));
        var missing = MissingLines(name, result.Output);
        Assert.That(missing, Is.Empty, $"{name}.ipynb did not print lines matching:\n{string.Join("\n", missing)}\n\nIt printed:\n{result.Output}");
    }

    /// <summary>The expected lines of the chapter that no line of the output matches.</summary>
    internal static List<string> MissingLines(string name, string output)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        return ExpectedLines[name].Where(pattern => !lines.Any(line => Regex.IsMatch(line, $"^{pattern}$"))).ToList();
    }
}
