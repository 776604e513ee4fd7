namespace StreamingTutorial.Grading;

/// <summary>
/// One check of a chapter's grader, as data: the exercise it grades (from the catalog), what it
/// checks as the end of a sentence, and the check itself. A grader project turns each into a
/// test; the grader proofs run the same list against the solution.
/// </summary>
/// <param name="Does">What the code must do, after the method's name: "stores the file and rejects unsafe names".</param>
public sealed record Check(Exercise Exercise, string Does, Func<Task> Run)
{
    /// <summary>The test's name, a sentence: "1.3 WriteFile stores the file and rejects unsafe names".</summary>
    public string Title => $"{Exercise.Id} {Exercise.Name} {Does}";

    public override string ToString() => Title;
}
