using System.Text;

namespace StreamingTutorial.Grading;

/// <summary>A started exercise gave a wrong answer. The message says what was called, expected and received, and hints.</summary>
public sealed class GradingFailure(string message) : Exception(message)
{
    /// <param name="hint">Which of the exercise's hints (from chapters.json) fits this failure best.</param>
    public static GradingFailure For(string exerciseId, string problem, string call, string expected, string actual, int hint = 0)
    {
        var exercise = ChapterCatalog.Current.Exercise(exerciseId);
        var chapter = ChapterCatalog.Current.ChapterOf(exercise);
        var text = new StringBuilder()
            .AppendLine($"Exercise {exercise.Id} ({exercise.Name}, chapters/{chapter.Folder}/{exercise.File}): {problem}")
            .AppendLine($"  Call:     {call}")
            .AppendLine($"  Expected: {expected}")
            .AppendLine($"  Actual:   {actual}")
            .Append($"  Hint:     {exercise.Hints[Math.Clamp(hint, 0, exercise.Hints.Count - 1)]}");
        return new GradingFailure(text.ToString());
    }
}

/// <summary>The exercise's TODO is untouched: it still throws the starter's NotImplementedException.</summary>
public sealed class NotStartedException(string message) : Exception(message)
{
    public static NotStartedException For(string exerciseId)
    {
        var exercise = ChapterCatalog.Current.Exercise(exerciseId);
        var chapter = ChapterCatalog.Current.ChapterOf(exercise);
        // A test exercise's file is in the test project beside the chapter ("../01-unary.Tests/...").
        var file = exercise.File.StartsWith("../", StringComparison.Ordinal) ? $"chapters/{exercise.File[3..]}" : $"chapters/{chapter.Folder}/{exercise.File}";
        return new NotStartedException($"Not started yet: exercise {exercise.Id} ({exercise.Name}). Look for \"{exercise.Todo}\" in {file}.");
    }
}
