using System.Text.RegularExpressions;
using StreamingTutorial.Grading;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// Hints are keyed to the checks that give them: every key a check names is in chapters.json, and
/// every hint there is named by some check (or is the exercise's hint for an exception), so no
/// failure comes with a hint picked by its place in a list.
/// </summary>
[TestFixture]
[Category("Workbook")]
public partial class HintKeyTests
{
    private static IReadOnlyList<Exercise> AllExercises => ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises).ToList();

    [Test]
    public void Every_hint_has_a_key_unique_in_the_workbook()
    {
        var keys = AllExercises.SelectMany(e => e.Hints.Select(h => h.Key)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.All.Matches<string>(k => KeyPattern().IsMatch(k)), "Hint keys are lower-case words joined by '-'.");
            Assert.That(keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "These hint keys are used twice in chapters.json.");
            foreach (var exercise in AllExercises.Where(e => e.ExceptionHint is not null))
            {
                Assert.That(exercise.Hints.Select(h => h.Key), Does.Contain(exercise.ExceptionHint), $"Exercise {exercise.Id}'s exceptionHint names a hint it does not have.");
            }
        });
    }

    [Test]
    public void Every_hint_a_check_names_exists()
    {
        var defined = AllExercises.SelectMany(e => e.Hints.Select(h => h.Key)).ToHashSet();
        var named = NamedByChecks();
        Assert.That(named, Is.Not.Empty, "No check in tests/Grading names a hint: the scan is broken.");
        Assert.That(named.Where(n => !defined.Contains(n.Key)).Select(n => $"{n.Key} ({n.Where})"), Is.Empty,
            "These hints are named by a check in tests/Grading but are not in chapters/chapters.json.");
    }

    [Test]
    public void Every_hint_is_named_by_a_check()
    {
        var named = NamedByChecks().Select(n => n.Key).ToHashSet();
        // A test exercise (side "tests") is graded by the wrong services its tests miss; each wrong
        // service carries the hint for the test that would catch it (Grading/TestSuites/WrongServices.cs),
        // so its hints here are the ones the hint command gives on demand.
        var unused = AllExercises.Where(e => e.Side != "tests").SelectMany(e => e.Hints.Where(h => !named.Contains(h.Key) && h.Key != (e.ExceptionHint ?? e.Hints[0].Key)).Select(h => $"{e.Id} {h.Key}"));
        Assert.That(unused, Is.Empty, "These hints in chapters.json are never given by a check: key them to the check whose failure they explain.");
    }

    /// <summary>The string literals after "hint:" (or any "...Hint:" argument, "hint =") in the grading library's sources.</summary>
    private static List<(string Key, string Where)> NamedByChecks()
    {
        var folder = Path.Combine(WorkbookShapeTests.Root, "tests", "Grading");
        var found = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var argument = HintArgument().Match(lines[i]);
                if (!argument.Success)
                {
                    continue;
                }
                // Only what could be a key: exercise ids ("4.3") and call texts are other arguments.
                foreach (Match literal in Literal().Matches(lines[i], argument.Index).Where(l => KeyLike().IsMatch(l.Groups[1].Value)))
                {
                    found.Add((literal.Groups[1].Value, $"{Path.GetRelativePath(WorkbookShapeTests.Root, file)}:{i + 1}"));
                }
            }
        }
        return found;
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*$")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"\b\w*[hH]int\w*\s*(:|=)\s")]
    private static partial Regex HintArgument();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Literal();
}
