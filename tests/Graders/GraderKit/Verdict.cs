using StreamingTutorial.Grading;

namespace StreamingTutorial.Graders;

/// <summary>Turns a grader's outcome into an NUnit result: pass, fail with the grader's message, or skipped as not started.</summary>
public static class Verdict
{
    /// <summary>
    /// Set to "fail" (dotnet test -e WORKBOOK_NOT_STARTED=fail) to fail an exercise that is not
    /// started instead of skipping it: autograding must not score untouched work as passed.
    /// </summary>
    public const string NotStartedVariable = "WORKBOOK_NOT_STARTED";

    public static Task Of(Check check) => Of(check.Exercise, check.Run);

    public static async Task Of(Exercise exercise, Func<Task> grade)
    {
        try
        {
            await grade();
        }
        catch (NotStartedException notStarted)
        {
            if (string.Equals(Environment.GetEnvironmentVariable(NotStartedVariable), "fail", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(notStarted.Message);
            }
            Assert.Ignore(notStarted.Message);
        }
        catch (GradingFailure failure)
        {
            Assert.Fail(failure.Message);
        }
        catch (Grpc.Core.RpcException rpc) when (LearnerException.From(rpc) is { Exercise: not null } thrown)
        {
            // The learner's handler threw where no check expected it: show the exception, not "Exception was thrown by handler".
            Assert.Fail(GradingFailure.Threw(exercise, $"{thrown.RpcMethod}(...)", "an answer", thrown).Message);
        }
    }
}
