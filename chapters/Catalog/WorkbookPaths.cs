namespace StreamingTutorial.Catalog;

/// <summary>
/// Where things live in the workbook: the one place that knows the layout of chapters/,
/// solutions/ and tests/Graders/, and how to find the workbook's folder.
/// </summary>
public sealed class WorkbookPaths(string root)
{
    /// <summary>The file that marks the workbook's folder.</summary>
    public const string SolutionFile = "StreamingTutorial.sln";

    public string Root { get; } = root;

    /// <summary>The learner's workspace, with every chapter's folder: chapters/.</summary>
    public string ChaptersFolder => Path.Combine(Root, "chapters");

    public string ChaptersJson => Path.Combine(ChaptersFolder, "chapters.json");

    /// <summary>The learner's copy of a chapter: chapters/01-unary.</summary>
    public string ChapterFolder(Chapter chapter) => Path.Combine(Root, Relative.ChapterFolder(chapter));

    /// <summary>The reference copy: solutions/01-unary.</summary>
    public string SolutionFolder(Chapter chapter) => Path.Combine(Root, Relative.SolutionFolder(chapter));

    public string ChapterProject(Chapter chapter) => Path.Combine(ChapterFolder(chapter), chapter.Project);

    public string SolutionProject(Chapter chapter) => Path.Combine(SolutionFolder(chapter), chapter.Project);

    /// <summary>The grader project's folder: tests/Graders/Chapter01.Graders.</summary>
    public string GraderFolder(Chapter chapter) => Path.Combine(Root, Relative.GraderFolder(chapter));

    public string GraderProject(Chapter chapter) => Path.Combine(Root, Relative.GraderProject(chapter));

    /// <summary>The workbook for the folder this process runs in, found with <see cref="FindRoot"/>.</summary>
    public static WorkbookPaths Find() => new(FindRoot());

    /// <summary>
    /// The workbook's folder: the first folder up from the current directory, then up from this
    /// assembly's folder, that holds StreamingTutorial.sln.
    /// </summary>
    public static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            if (FindRootFrom(start) is { } root)
            {
                return root;
            }
        }
        throw new DirectoryNotFoundException($"No {SolutionFile} above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}: run this from inside the StreamingTutorial folder.");
    }

    /// <summary>The workbook's folder above <paramref name="start"/>, or null when there is none.</summary>
    public static string? FindRootFrom(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>The same places relative to the workbook's folder, with '/' (as the tool prints them and as git and .sln files name them).</summary>
    public static class Relative
    {
        public static string ChapterFolder(Chapter chapter) => $"chapters/{chapter.Folder}";

        public static string SolutionFolder(Chapter chapter) => $"solutions/{chapter.Folder}";

        /// <summary>The learner's own tests of a chapter (exercise N.T): chapters/01-unary.Tests.</summary>
        public static string ChapterTestsFolder(Chapter chapter) => $"chapters/{chapter.Folder}.Tests";

        public static string SolutionTestsFolder(Chapter chapter) => $"solutions/{chapter.Folder}.Tests";

        public static string GraderFolder(Chapter chapter) => $"tests/Graders/{GraderName(chapter)}";

        public static string GraderProject(Chapter chapter) => $"{GraderFolder(chapter)}/{GraderName(chapter)}.csproj";

        /// <summary>The grader's project and assembly name: Chapter01.Graders.</summary>
        public static string GraderName(Chapter chapter) => $"Chapter{chapter.Number:00}.Graders";

        /// <summary>The NUnit category of a chapter's graders: Chapter01.</summary>
        public static string Category(Chapter chapter) => $"Chapter{chapter.Number:00}";
    }
}
