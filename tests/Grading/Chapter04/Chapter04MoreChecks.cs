using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>Chapter 4 checks for a call that fails: the deadline passes on the server, and the client must say so.</summary>
public static partial class Chapter04Grader
{
    /// <summary>A device that goes quiet after two readings: the deadline (1 s) must end the wait for the third.</summary>
    private static async Task SummarizeDeviceGoesQuietAsync(Func<SensorService.SensorServiceClient, IAsyncEnumerable<SensorReading>, DateTime, Task<ReadingSummary>> learnerSummarize)
    {
        const string callText = "SummarizeAsync(client, readings, deadline: 1 s from now), the device going quiet after 2 readings";
        await using var reference = await ReferenceServers.StartSensorsAsync();
        using var graderDone = new CancellationTokenSource();
        var run = learnerSummarize(reference.Client, Quiet(graderDone.Token), DateTime.UtcNow.AddSeconds(1));
        Exception? thrown = null;
        ReadingSummary? result = null;
        try
        {
            result = await run.WaitAsync(TimeSpan.FromSeconds(6));
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(Exercises.SummarizeAsync);
        }
        catch (TimeoutException)
        {
            // Let the stuck method finish, so it does not outlive the grader.
            await graderDone.CancelAsync();
            throw GradingFailure.For(Exercises.SummarizeAsync, "the method kept waiting for the next reading after the deadline had passed.", callText,
                "RpcException with status DeadlineExceeded about 1 s after the call", "still waiting 6 s later", hint: "deadline-ends-wait");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        // The reference server also sees its deadline and may answer CANCELLED a moment first: either is the call's own ending.
        if (thrown is not RpcException { StatusCode: StatusCode.DeadlineExceeded or StatusCode.Cancelled })
        {
            throw GradingFailure.For(Exercises.SummarizeAsync, "when the deadline passes while waiting for a reading, the call's DeadlineExceeded should reach the caller.", callText,
                "RpcException with status DeadlineExceeded",
                thrown is null ? $"the method returned {Grade.Describe(result)}" : thrown is RpcException rpc ? $"RpcException with status {rpc.StatusCode}" : $"{thrown.GetType().Name}: {thrown.Message}", hint: "deadline-ends-wait");
        }

        static async IAsyncEnumerable<SensorReading> Quiet(CancellationToken graderDone, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new SensorReading { SensorId = "cellar", Value = 11.0 };
            yield return new SensorReading { SensorId = "cellar", Value = 11.5 };
            // Then nothing, until the reader stops waiting (or the grader gives up).
            using var either = CancellationTokenSource.CreateLinkedTokenSource(graderDone, cancellationToken);
            await Task.Delay(Timeout.Infinite, either.Token);
        }
    }

    private static async Task SummarizeServerFailsAsync(Func<SensorService.SensorServiceClient, IAsyncEnumerable<SensorReading>, DateTime, Task<ReadingSummary>> learnerSummarize)
    {
        const string callText = "SummarizeAsync(client, 2 readings, deadline: 20 s from now) against a server that answers DEADLINE_EXCEEDED";
        await using var reference = await ReferenceServers.StartSensorsAsync();
        reference.Recorder.FailWith = new Status(StatusCode.DeadlineExceeded, "the summary took too long");
        Exception? thrown = null;
        ReadingSummary? result = null;
        try
        {
            result = await learnerSummarize(reference.Client, Two(), DateTime.UtcNow.AddSeconds(20)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(Exercises.SummarizeAsync);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        if (thrown is not RpcException { StatusCode: StatusCode.DeadlineExceeded })
        {
            throw GradingFailure.For(Exercises.SummarizeAsync, "a failed call should reach the caller as the server's RpcException, not as an empty summary: the caller can't tell \"no readings\" from \"the server failed\".", callText,
                "RpcException with status DeadlineExceeded",
                thrown is null ? $"the method returned {Grade.Describe(result)}" : thrown is RpcException rpc ? $"RpcException with status {rpc.StatusCode}" : $"{thrown.GetType().Name}: {thrown.Message}", hint: "summary-errors");
        }

        static async IAsyncEnumerable<SensorReading> Two()
        {
            await Task.Yield();
            yield return new SensorReading { SensorId = "porch", Value = 8.5 };
            yield return new SensorReading { SensorId = "porch", Value = 9.0 };
        }
    }
}
