using System.Diagnostics;
using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Grading.Chapter02;

/// <summary>Chapter 2 checks for streams that end early: cancelled by the client, or failed by the server.</summary>
public static partial class Chapter02Grader
{
    /// <summary>A long, slow stream of numbers cancelled after the first: the handler must stop at once, not an interval later.</summary>
    private static async Task GenerateNumbersStopsWhenCancelledAsync<TService>(Func<TService> createService)
        where TService : RandomService.RandomServiceBase
    {
        var watcher = new RequestWatcher();
        await using var host = await Grade.HostAsync(createService, watcher);
        var client = new RandomService.RandomServiceClient(host.CreateChannel());
        var request = new RandomRequest { Min = 1, Max = 6, Count = 100, IntervalMs = 10_000 };
        var callText = $"{Text(request)}, cancelled by the client after the first number";
        var number = watcher.Started + 1;
        using (var call = client.GenerateNumbers(request))
        {
            var first = await Grade.CallServerAsync(Exercises.GenerateNumbers, () => ReadAsync(call, 1, Patience));
            if (first.Messages.Count == 0)
            {
                throw GradingFailure.For(Exercises.GenerateNumbers, "the first number should come at once; the pause is between numbers.", callText, "a number at once", first.ToString(), hint: "count-and-pace");
            }
        }
        var cancelled = Stopwatch.StartNew();
        if (!await CompletesWithinAsync(watcher.Finished(number), Patience))
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, "the handler went on after the client cancelled.", callText,
                "the handler returns as soon as context.CancellationToken fires: pass it to Task.Delay",
                $"still running {cancelled.Elapsed.TotalSeconds:0.0} s after the client cancelled (waiting out the 10 s interval?)", hint: "count-and-pace");
        }
    }

    /// <summary>A server that fails after three updates: its error must reach the caller.</summary>
    private static async Task ReadTimeUpdatesServerFailsAsync(
        Func<StreamingService.StreamingServiceClient, int, int, Action<TimeUpdate>, CancellationToken, Task> learnerRead, ReferenceTimeService.Running reference)
    {
        const string callText = "ReadTimeUpdatesAsync(client, intervalMs: 10, maxUpdates: 100, onUpdate, CancellationToken.None), the server failing with UNAVAILABLE after 3 updates";
        reference.Service.FailAfter = 3;
        try
        {
            var outcome = await RunLearnerAsync(Exercises.ReadTimeUpdatesAsync, callText, async () =>
            {
                await learnerRead(reference.Client, 10, 100, _ => { }, CancellationToken.None);
                return true;
            }, "an RpcException with StatusCode.Unavailable", hint: "stream-errors");
            if (outcome.Error is not RpcException { StatusCode: StatusCode.Unavailable })
            {
                throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the server's error should reach the caller: catch only what you expect (nothing, here).", callText,
                    "an RpcException with StatusCode.Unavailable", outcome.Error is null ? "the method returned normally" : Describe(outcome.Error), hint: "stream-errors");
            }
        }
        finally
        {
            reference.Service.FailAfter = null;
        }
    }
}
