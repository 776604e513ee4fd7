using StreamingTutorial.Grading;

namespace StreamingTutorial.Graders;

/// <summary>
/// A chapter's checks as NUnit test cases: named as a sentence ("1.3 WriteFile stores the file
/// and rejects unsafe names"), in the chapter's category (dotnet test --filter Category=Chapter01),
/// and tagged with the property Exercise = the exercise's id, which is how the workbook tool
/// reads back which exercise a result is for (never from the test's name).
/// </summary>
public static class GraderCases
{
    public static IEnumerable<TestCaseData> From(IEnumerable<Check> checks) =>
        checks.Select(check => new TestCaseData(check)
            .SetName(check.Title)
            .SetProperty(ExerciseLookup.TestProperty, check.Exercise.Id)
            .SetCategory(WorkbookPaths.Relative.Category(ChapterCatalog.Current.ChapterOf(check.Exercise))));
}
