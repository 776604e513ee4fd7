using StreamingTutorial.Grading;

namespace StreamingTutorial.GraderProofs;

/// <summary>One deliberately wrong implementation and the grader that must catch it.</summary>
/// <param name="Hint">The key of the hint this mistake should get, where the proof pins it down.</param>
public sealed record Mutant(Exercise Exercise, string Description, Func<Task> Grade, string? Hint = null)
{
    public TestCaseData ToTestCase() =>
        new TestCaseData(this).SetName($"Mutant {Exercise.Id} is caught: {Description}");
}

public static class Proof
{
    /// <summary>
    /// A chapter's checks, the very list its grader project runs, as test cases for the solution.
    /// The test exercises (N.T) are left out: <see cref="TestSuiteProofs"/> proves those with the reference tests.
    /// </summary>
    public static IEnumerable<TestCaseData> SolutionCases(IEnumerable<Check> checks) =>
        checks.Where(c => c.Exercise.Side != ExerciseLookup.TestsSide)
            .Select(c => new TestCaseData(c).SetName($"The solution passes {c.Title}"));

    /// <summary>The grader must throw GradingFailure with a message that names expected, actual and a hint.</summary>
    public static async Task MutantIsCaughtAsync(Mutant mutant)
    {
        GradingFailure? failure = null;
        try
        {
            await mutant.Grade();
        }
        catch (GradingFailure caught)
        {
            failure = caught;
        }
        catch (Grpc.Core.RpcException rpc) when (LearnerException.From(rpc) is { Exercise: { } exercise } thrown)
        {
            // What Verdict does for an exception that leaves the grader: the learner's exception, laid out.
            failure = GradingFailure.Threw(exercise, $"{thrown.RpcMethod}(...)", "an answer", thrown);
        }
        catch (NotStartedException notStarted)
        {
            Assert.Fail($"The grader took the mutant for an untouched TODO: {notStarted.Message}");
        }
        Assert.That(failure, Is.Not.Null, $"The grader of exercise {mutant.Exercise.Id} passed a wrong implementation: {mutant.Description}.");
        Assert.That(failure!.Message, Does.Contain($"Exercise {mutant.Exercise.Id}").And.Contain("Expected:").And.Contain("Actual:").And.Contain("Hint:"),
            "A failure message should name the exercise, what was expected, what came back, and give a hint.");
        if (mutant.Hint is not null)
        {
            Assert.That(failure.Message, Does.EndWith(ChapterCatalog.Current.Hint(mutant.Hint).Text), $"This mistake should get hint '{mutant.Hint}'.");
        }
        TestContext.Out.WriteLine(failure.Message);
    }
}
