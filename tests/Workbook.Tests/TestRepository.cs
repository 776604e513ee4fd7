namespace StreamingTutorial.Workbook.Tests;

/// <summary>The workbook these tests run in.</summary>
public static class TestRepository
{
    public static readonly string Root = FindRoot();

    public static WorkbookFolder Workbook { get; } = new(Root);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamingTutorial.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Could not find StreamingTutorial.sln above the test's folder.");
    }
}
