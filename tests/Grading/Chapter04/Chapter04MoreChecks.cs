using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>Chapter 4 checks for a call that fails: the deadline passes on the server, and the client must say so.</summary>
public static partial class Chapter04Grader
{
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
            throw NotStartedException.For("4.4");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        if (thrown is not RpcException { StatusCode: StatusCode.DeadlineExceeded })
        {
            throw GradingFailure.For("4.4", "a failed call should reach the caller as the server's RpcException, not as an empty summary: the caller can't tell \"no readings\" from \"the server failed\".", callText,
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
