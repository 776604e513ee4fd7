using Microsoft.AspNetCore.Builder;

namespace StreamingTutorial.Grading;

/// <summary>
/// Sees each request a test host serves finish, so a grader can tell when a learner's handler
/// has returned: a client can't see that (its call ends when it cancels), only the server can.
/// </summary>
public sealed class RequestWatcher
{
    private readonly List<TaskCompletionSource> finished = new();
    private int started;

    /// <summary>How many requests the host has started to serve.</summary>
    public int Started => Volatile.Read(ref started);

    /// <summary>Completes when the host's <paramref name="number"/>th request (from 1) has finished: the handler returned or threw.</summary>
    public Task Finished(int number) => Slot(number).Task;

    /// <summary>Wraps every request of the app, before its gRPC endpoint runs.</summary>
    public void Attach(WebApplication app) =>
        app.Use(async (context, next) =>
        {
            var number = Interlocked.Increment(ref started);
            try
            {
                await next(context);
            }
            finally
            {
                Slot(number).TrySetResult();
            }
        });

    private TaskCompletionSource Slot(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        lock (finished)
        {
            while (finished.Count < number)
            {
                finished.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            return finished[number - 1];
        }
    }
}
