
namespace StreamingTutorial.Workbook;

/// <summary>Copies of the workbook: plain (for benchmarks), or with the solutions in place of the starters (for grading the graders).</summary>
public static class SolutionCopy
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".git", ".workbook", "artifacts", "node_modules", "TestResults" };

    public static void Create(string root, string destination, ChapterCatalog catalog)
    {
        CopyTree(root, destination);
        foreach (var chapter in catalog.Chapters)
        {
            var solution = Path.Combine(root, WorkbookPaths.Relative.SolutionFolder(chapter));
            if (Directory.Exists(solution))
            {
                CopyTree(solution, Path.Combine(destination, WorkbookPaths.Relative.ChapterFolder(chapter)));
            }
            // The chapter's test exercise (N.T) lives beside it, in NN-x.Tests.
            var tests = Path.Combine(root, WorkbookPaths.Relative.SolutionTestsFolder(chapter));
            if (Directory.Exists(tests))
            {
                CopyTree(tests, Path.Combine(destination, WorkbookPaths.Relative.ChapterTestsFolder(chapter)));
            }
        }
    }

    /// <summary>Copies a folder without build output, git data or the tool's state.</summary>
    public static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
        }
        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(directory);
            if (!Skipped.Contains(name))
            {
                CopyTree(directory, Path.Combine(destination, name));
            }
        }
    }
}
