using StreamingTutorial.Grading;

namespace StreamingTutorial.Graders;

/// <summary>Turns a grader's outcome into an NUnit result: pass, fail with the grader's message, or skipped as not started.</summary>
public static class Verdict
{
    public static async Task Of(Func<Task> grade)
    {
        try
        {
            await grade();
        }
        catch (NotStartedException notStarted)
        {
            Assert.Ignore(notStarted.Message);
        }
        catch (GradingFailure failure)
        {
            Assert.Fail(failure.Message);
        }
    }
}
