
namespace StreamingTutorial.Workbook;

/// <summary>A mistake in how the tool was called: printed as is, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message)
{
}

/// <summary>The workbook the tool works on: its folder, its chapters (chapters/chapters.json) and the tool's own state.</summary>
public sealed class WorkbookFolder
{
    /// <summary>How the learner runs the tool, for the commands it suggests.</summary>
    public const string Command = "dotnet run --project tools/Workbook --";

    public WorkbookFolder(string root)
    {
        Root = root;
        Paths = new WorkbookPaths(root);
        Catalog = ChapterCatalog.Load(Paths.ChaptersJson);
    }

    public string Root { get; }

    public WorkbookPaths Paths { get; }

    public ChapterCatalog Catalog { get; }

    /// <summary>The tool's own files (hints shown, last results, backups): .workbook/, ignored by git.</summary>
    public string StateFolder => Path.Combine(Root, ".workbook");

    public string ChapterFolder(Chapter chapter) => Paths.ChapterFolder(chapter);

    public string SolutionFolder(Chapter chapter) => Paths.SolutionFolder(chapter);

    /// <summary>"1" or "01": a chapter; anything else is explained.</summary>
    public Chapter ParseChapter(string text)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return Catalog.Chapters.FirstOrDefault(c => c.Number == number)
                ?? throw new UsageException($"There is no chapter {number}; chapters are {ChapterRange()}.");
        }
        throw new UsageException($"'{text}' is not a chapter number; chapters are {ChapterRange()}.");
    }

    /// <summary>"1" (a chapter) or "1.3" (an exercise).</summary>
    public (Chapter Chapter, Exercise? Exercise) ParseChapterOrExercise(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return (ParseChapter(text), null);
        }
        var chapter = ParseChapter(text[..dot]);
        var exercise = chapter.Exercises.FirstOrDefault(e => e.Id == $"{chapter.Number}.{text[(dot + 1)..].TrimStart('0')}")
            ?? throw new UsageException($"There is no exercise {text}; chapter {chapter.Number} has exercises {chapter.Exercises[0].Id} to {chapter.Exercises[^1].Id}.");
        return (chapter, exercise);
    }

    /// <summary>"1-5", or "1, 2, 4" when there are gaps.</summary>
    public string ChapterRange()
    {
        var numbers = Catalog.Chapters.Select(c => c.Number).Order().ToList();
        var contiguous = numbers.Count > 1 && numbers[^1] - numbers[0] == numbers.Count - 1;
        return contiguous ? $"{numbers[0]}-{numbers[^1]}" : string.Join(", ", numbers);
    }

    /// <summary>The workbook's folder: the first folder up from here (or from the tool) that holds StreamingTutorial.sln.</summary>
    public static string FindRoot()
    {
        try
        {
            return WorkbookPaths.FindRoot();
        }
        catch (DirectoryNotFoundException)
        {
            throw new UsageException("Run the workbook from inside the StreamingTutorial folder.");
        }
    }
}
