using System.Text;

namespace StreamingTutorial.Grading;

/// <summary>A started exercise gave a wrong answer. The message says what was called, expected and received, and hints.</summary>
public sealed class GradingFailure(string message) : Exception(message)
{
    /// <param name="hint">The key (in chapters.json) of the hint that fits this check's failure.</param>
    public static GradingFailure For(Exercise exercise, string problem, string call, string expected, string actual, string hint)
    {
        var text = Heading(exercise, problem)
            .AppendLine($"  Call:     {call}")
            .AppendLine($"  Expected: {expected}")
            .AppendLine($"  Actual:   {actual}")
            .Append($"  Hint:     {ChapterCatalog.Current.Hint(hint).Text}");
        return new GradingFailure(text.ToString());
    }

    /// <summary>
    /// The learner's own code threw: the exception as it is, where it was thrown, and the hint of the
    /// exercise that owns that code (the frame's method), or of the exercise being graded.
    /// </summary>
    public static GradingFailure Threw(Exercise exercise, string call, string expected, LearnerException thrown)
    {
        var owner = thrown.Exercise ?? exercise;
        var text = Heading(owner, "your code threw an exception.")
            .AppendLine($"  Call:     {call}")
            .AppendLine($"  Expected: {expected}")
            .AppendLine($"  Actual:   {thrown.Type}: {thrown.Message}")
            .AppendLine($"  Where:    {thrown.Where ?? "(no line of your code on the stack)"}")
            .Append($"  Hint:     {ChapterCatalog.Current.Hint(owner.ExceptionHint ?? owner.Hints[0].Key).Text}");
        return new GradingFailure(text.ToString());
    }

    private static StringBuilder Heading(Exercise exercise, string problem) =>
        new StringBuilder().AppendLine($"Exercise {exercise.Id} ({exercise.Name}, {ChapterCatalog.Current.TodoFile(exercise)}): {problem}");
}

/// <summary>The exercise's TODO is untouched: it still throws the starter's NotImplementedException.</summary>
public sealed class NotStartedException(string message) : Exception(message)
{
    public static NotStartedException For(Exercise exercise) =>
        new($"Not started yet: exercise {exercise.Id} ({exercise.Name}). Look for \"{exercise.Todo}\" in {ChapterCatalog.Current.TodoFile(exercise)}.");
}
