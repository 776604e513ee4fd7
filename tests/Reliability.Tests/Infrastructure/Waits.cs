using System.Diagnostics;
using Grpc.Core;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>Bounded waits: a hang fails the test with what was awaited, instead of stalling the run.</summary>
internal static class Waits
{
    /// <summary>How long anything that should happen promptly may take, on a busy 2-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task Within(this Task task, string what, TimeSpan? limit = null)
    {
        var timeout = limit ?? Patience;
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {timeout.TotalSeconds:0.#} s, but it did not happen.");
        }
    }

    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? limit = null)
    {
        var timeout = limit ?? Patience;
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {timeout.TotalSeconds:0.#} s, but it did not happen.");
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/>, which must end with an RpcException within the patience.</summary>
    public static async Task<RpcException> Fails(Func<Task> action, string what, TimeSpan? limit = null)
    {
        try
        {
            await action().Within(what, limit);
        }
        catch (RpcException ex)
        {
            return ex;
        }
        Assert.Fail($"Expected {what} to fail with an RpcException, but it succeeded.");
        throw new UnreachableException();
    }

    /// <summary>Asserts a status code, and that the detail starts with <paramref name="detailStart"/>.</summary>
    public static void AssertStatus(RpcException ex, StatusCode code, string detailStart, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(code), $"status code of {what} (detail: \"{ex.Status.Detail}\")");
            Assert.That(ex.Status.Detail, Does.StartWith(detailStart), $"status detail of {what}");
        });
    }

    /// <summary>Asserts a status code and its exact detail.</summary>
    public static void AssertExactStatus(RpcException ex, StatusCode code, string detail, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(code), $"status code of {what} (detail: \"{ex.Status.Detail}\")");
            Assert.That(ex.Status.Detail, Is.EqualTo(detail), $"status detail of {what}");
        });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; false if it never did within <paramref name="limit"/>.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var timeout = limit ?? Patience;
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Waits until a counter stops changing for <paramref name="quiet"/>, and returns its value then.</summary>
    public static async Task<long> SettledValueAsync(Func<long> read, TimeSpan quiet, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var timeout = limit ?? Patience;
        var last = read();
        var since = clock.Elapsed;
        while (clock.Elapsed - since < quiet)
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"The value kept changing for {timeout.TotalSeconds:0.#} s (now {last}).");
            }
            await Task.Delay(50);
            var now = read();
            if (now != last)
            {
                last = now;
                since = clock.Elapsed;
            }
        }
        return last;
    }
}
