using Grpc.Core;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>Waiting and failing helpers shared by the runtime tests.</summary>
internal static class Rpc
{
    /// <summary>How long a test waits for anything that should happen promptly; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Waits for <paramref name="task"/>, failing with a message that names what was awaited.</summary>
    public static async Task Within(this Task task, string what)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {Patience.TotalSeconds} s, but it did not happen.");
        }
    }

    public static async Task<T> Within<T>(this Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {Patience.TotalSeconds} s, but it did not happen.");
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns the RpcException it must end with.</summary>
    public static async Task<RpcException> Fails(Func<Task> action, string what)
    {
        try
        {
            await action().Within(what);
        }
        catch (RpcException ex)
        {
            return ex;
        }
        Assert.Fail($"Expected {what} to fail with an RpcException, but it succeeded.");
        throw new InvalidOperationException("Unreachable: Assert.Fail throws.");
    }

    /// <summary>Asserts an RpcException's status code and detail.</summary>
    public static void AssertStatus(RpcException ex, StatusCode code, string detail, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(code), $"status code of {what}");
            Assert.That(ex.Status.Detail, Is.EqualTo(detail), $"status detail of {what}");
        });
    }
}
