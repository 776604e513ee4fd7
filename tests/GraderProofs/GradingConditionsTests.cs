using StreamingTutorial.Grading;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// The conditions every grader runs under, and the workbook's given code: checks that would
/// otherwise pass by luck on one machine and fail on the learner's.
/// </summary>
[TestFixture]
[Category("GraderProofs")]
public class GradingConditionsTests
{
    [Test]
    public void Graders_run_in_a_time_zone_with_a_non_whole_hour_offset_and_daylight_saving()
    {
        // Touching the grading library runs its module initializer, as every grader does.
        Assert.That(GradingTimeZone.Applied, Is.True, $"The local zone is {TimeZoneInfo.Local.Id}, not {GradingTimeZone.Id}.");
        var local = TimeZoneInfo.Local;
        var winter = local.GetUtcOffset(new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        var summer = local.GetUtcOffset(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.That(winter, Is.EqualTo(TimeSpan.FromHours(9.5)), "Adelaide in July (standard time)");
        Assert.That(summer, Is.EqualTo(TimeSpan.FromHours(10.5)), "Adelaide in January (daylight saving)");
        // What code that mixes the two clocks sees: DateTime.Now is not DateTime.UtcNow here.
        Assert.That(DateTime.Now - DateTime.UtcNow, Is.GreaterThan(TimeSpan.FromHours(9)));
    }

    /// <summary>
    /// Given code (what a chapter uses but the learner does not write) lives once, in
    /// chapters/Given, which both the chapter and its solution reference. The one file without a
    /// TODO that each keeps is Program.cs, because both are programs to run; the learner runs the
    /// chapter's, the tests the solution's, so the two must be the same file, or a fix reaches
    /// only one of them.
    /// </summary>
    [Test]
    public void Given_code_lives_once_and_Program_cs_is_the_same_in_the_chapter_and_its_solution()
    {
        var root = WorkbookPaths.FindRoot();
        var copies = new List<string>();
        var different = new List<string>();
        foreach (var chapter in ChapterCatalog.Current.Chapters)
        {
            var starter = Path.Combine(root, "chapters", chapter.Folder);
            foreach (var file in Directory.EnumerateFiles(starter, "*.cs"))
            {
                var text = File.ReadAllText(file);
                if (text.Contains("TODO ", StringComparison.Ordinal))
                {
                    continue;
                }
                var name = Path.GetFileName(file);
                if (name != "Program.cs")
                {
                    copies.Add($"chapters/{chapter.Folder}/{name}");
                }
                var solved = Path.Combine(root, "solutions", chapter.Folder, name);
                if (!File.Exists(solved) || File.ReadAllText(solved) != text)
                {
                    different.Add($"chapters/{chapter.Folder}/{name}");
                }
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(copies, Is.Empty, "Files with no exercise in a chapter: move them to chapters/Given, which the chapter and its solution both reference.");
            Assert.That(different, Is.Empty, "Program.cs differs from the solution's copy (copy the solution's over the chapter's).");
        });
    }

}
