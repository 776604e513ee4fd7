using StreamingTutorial.Grading;

namespace StreamingTutorial.Workbook;

/// <summary>Makes a copy of the workbook whose chapters are the solutions, for grading the graders.</summary>
public static class SolutionCopy
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".git", "artifacts", "node_modules", "TestResults" };

    public static void Create(string root, string destination, ChapterCatalog catalog)
    {
        CopyTree(root, destination);
        foreach (var chapter in catalog.Chapters)
        {
            CopyTree(Path.Combine(root, "solutions", chapter.Folder), Path.Combine(destination, "chapters", chapter.Folder));
        }
    }

    private static void CopyTree(string source, string destination)
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
