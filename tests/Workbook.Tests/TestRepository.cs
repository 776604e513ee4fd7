namespace StreamingTutorial.Workbook.Tests;

/// <summary>The workbook these tests run in.</summary>
public static class TestRepository
{
    public static readonly string Root = WorkbookPaths.FindRoot();

    public static WorkbookFolder Workbook { get; } = new(Root);

}
