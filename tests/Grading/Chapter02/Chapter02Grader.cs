using System.Diagnostics;
using Grpc.Core;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Grading.Chapter02;

/// <summary>
/// Grades chapter 2. Server exercises host the learner's service and read its stream with the
/// generated client; a <see cref="RequestWatcher"/> tells when the handler has really returned
/// after a cancellation. Client exercises run the learner's code against
/// <see cref="ReferenceTimeService"/> and <see cref="ReferenceRandomService"/>, which record the
/// requests, deadlines, what they sent and whether the client cancelled.
/// </summary>
public static partial class Chapter02Grader
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public static async Task GetTimeUpdatesAsync<TService>(Func<TService> createService)
        where TService : StreamingService.StreamingServiceBase
    {
        var watcher = new RequestWatcher();
        await using var host = await Grade.HostAsync(createService, watcher);
        var client = new StreamingService.StreamingServiceClient(host.CreateChannel());

        // A short interval: five updates numbered from 1, with the current time, about 20 ms apart.
        await CheckTimeUpdatesAsync(client, intervalMs: 20, count: 5, expectedGapMs: 20, within: TimeSpan.FromSeconds(3));

        // interval_ms 0 means the default of 1,000 ms; a new call numbers from 1 again.
        await CheckTimeUpdatesAsync(client, intervalMs: 0, count: 2, expectedGapMs: 1000, within: TimeSpan.FromSeconds(2.5));

        var rejected = await Grade.ExpectErrorAsync(Exercises.GetTimeUpdates, "GetTimeUpdates(interval_ms: -5)", StatusCode.InvalidArgument,
            () => ExpectNothingAsync(Exercises.GetTimeUpdates, "GetTimeUpdates(interval_ms: -5)", () => client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = -5 })), hint: "interval-check");
        CheckHasMessage(Exercises.GetTimeUpdates, "GetTimeUpdates(interval_ms: -5)", rejected, hint: "interval-check");

        // A long interval, cancelled after the first update: the handler must end at once, not an interval later.
        const string cancelText = "GetTimeUpdates(interval_ms: 10000), cancelled by the client after the first update";
        var number = watcher.Started + 1;
        using (var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 10_000 }))
        {
            var first = await Grade.CallServerAsync(Exercises.GetTimeUpdates, () => ReadAsync(call, 1, Patience));
            if (first.Messages.Count == 0)
            {
                throw GradingFailure.For(Exercises.GetTimeUpdates, "the first update should be sent right away, before the first wait.", cancelText,
                    "an update at once", first.ToString(), hint: "write-then-wait");
            }
        }
        var cancelled = Stopwatch.StartNew();
        if (!await CompletesWithinAsync(watcher.Finished(number), Patience))
        {
            throw GradingFailure.For(Exercises.GetTimeUpdates, "the handler went on after the client cancelled.", cancelText,
                "the handler returns as soon as context.CancellationToken fires",
                $"still running {cancelled.Elapsed.TotalSeconds:0.0} s after the client cancelled (waiting out the 10 s interval?)", hint: "cancellation");
        }
    }

    public static async Task GenerateNumbersAsync<TService>(Func<TService> createService)
        where TService : RandomService.RandomServiceBase
    {
        await using var host = await Grade.HostAsync(createService);
        var client = new RandomService.RandomServiceClient(host.CreateChannel());

        // Enough numbers that a missing max (or min) is certain to show: (5/6)^300 is about 1e-24,
        // (2/3)^120 about 1e-21. The edges of int are where "max + 1" overflows.
        foreach (var (min, max, count) in new[]
        {
            (1, 6, 300), (-5, -4, 200), (7, 7, 3), (0, 9, 0),
            (int.MaxValue - 2, int.MaxValue, 120), (int.MinValue, int.MinValue + 2, 120), (int.MinValue, int.MaxValue, 5),
        })
        {
            var request = new RandomRequest { Min = min, Max = max, Count = count };
            var read = await GenerateAsync(client, request);
            // Every value must come up only where there are few enough of them to be sure.
            var few = count > 0 && (long)max - min < 100;
            var missing = Enumerable.Range(min, few ? max - min + 1 : 0).Except(read.Messages.Select(n => n.Value)).ToList();
            if (missing.Count > 0)
            {
                throw GradingFailure.For(Exercises.GenerateNumbers, $"some values from min to max never came: {Grade.Describe(missing)}.", Text(request),
                    $"every value from {min} to {max} (both included) among {count} numbers", $"never {Grade.Describe(missing)}", hint: "inclusive-max");
            }
        }

        var paced = new RandomRequest { Min = 1, Max = 3, Count = 3, IntervalMs = 150 };
        var timed = await GenerateAsync(client, paced);
        // From the call's start, not from the first arrival: on a busy machine the first number can
        // arrive late and the next ones right behind it, but none can arrive before it was sent, and
        // a server that pauses between numbers sends the third 300 ms after the call started at the earliest.
        var span = timed.Arrivals[^1];
        if (span < TimeSpan.FromMilliseconds(2 * 150 * 0.9))
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, "the numbers came faster than interval_ms asks.", Text(paced),
                "the third number at least 300 ms after the call started", $"{span.TotalMilliseconds:0} ms", hint: "count-and-pace");
        }

        foreach (var bad in new[]
        {
            new RandomRequest { Min = 5, Max = 1, Count = 3 },
            new RandomRequest { Min = 1, Max = 5, Count = -1 },
            new RandomRequest { Min = 1, Max = 5, Count = 2, IntervalMs = -1 },
        })
        {
            var rejected = await Grade.ExpectErrorAsync(Exercises.GenerateNumbers, Text(bad), StatusCode.InvalidArgument,
                () => ExpectNothingAsync(Exercises.GenerateNumbers, Text(bad), () => client.GenerateNumbers(bad)), hint: "request-check");
            CheckHasMessage(Exercises.GenerateNumbers, Text(bad), rejected, hint: "request-check");
        }
        await GenerateNumbersStopsWhenCancelledAsync(createService);
    }

    public static async Task ReadTimeUpdatesAsync(
        Func<StreamingService.StreamingServiceClient, int, int, Action<TimeUpdate>, CancellationToken, Task> learnerRead)
    {
        await using var reference = await ReferenceTimeService.StartAsync();

        // Stop after four updates, and cancel the call so the server stops sending.
        const int interval = 15;
        const int count = 4;
        const string callText = "ReadTimeUpdatesAsync(client, intervalMs: 15, maxUpdates: 4, onUpdate, CancellationToken.None)";
        var seen = new List<TimeUpdate>();
        var outcome = await RunLearnerAsync(Exercises.ReadTimeUpdatesAsync, callText,
            async () =>
            {
                await learnerRead(reference.Client, interval, count, update => Add(seen, update), CancellationToken.None);
                return true;
            },
            "the method returns after 4 updates", hint: "stop-at-max");
        if (outcome.Error is not null)
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the code threw an exception.", callText, "the method returns after 4 updates", Describe(outcome.Error), hint: "stop-at-max");
        }
        var call = reference.Log.Calls.FirstOrDefault();
        if (call is null || call.Request.IntervalMs != interval)
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the server did not receive the interval.", callText,
                "GetTimeUpdates(interval_ms: 15)", call is null ? "no GetTimeUpdates call" : $"GetTimeUpdates(interval_ms: {call.Request.IntervalMs})", hint: "read-all");
        }
        // The reference's updates are known in advance; its record of what it sent may lag the client by a write.
        var expected = Enumerable.Range(1, count)
            .Select(i => DescribeUpdate(new TimeUpdate { Sequence = i, Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(ReferenceTimeService.TimeOf(i)) })).ToList();
        var actual = Snapshot(seen).Select(DescribeUpdate).ToList();
        if (!actual.SequenceEqual(expected))
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "onUpdate should get each of the first 4 updates the server sent, in order, and no more.", callText,
                Shorten(expected), Shorten(actual), hint: "stop-at-max");
        }
        if (!await CompletesWithinAsync(call.Cancelled.Task, Patience))
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the call was still open after the method returned, so the server kept sending.", callText,
                "the call cancelled once 4 updates arrived", $"not cancelled; the server has sent {call.Sent.Count} updates so far", hint: "stop-at-max");
        }

        // The caller's token: cancelling it must end the reading even though maxUpdates is not reached.
        const string tokenText = "ReadTimeUpdatesAsync(client, intervalMs: 15, maxUpdates: int.MaxValue, onUpdate, token), the token cancelled after 3 updates";
        using var stop = new CancellationTokenSource();
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seenAgain = new List<TimeUpdate>();
        var reading = Start(() => learnerRead(reference.Client, interval, int.MaxValue, update =>
        {
            if (Add(seenAgain, update) == 3)
            {
                three.TrySetResult();
            }
        }, stop.Token));
        if (!await CompletesWithinAsync(Task.WhenAny(three.Task, reading), Patience) || !three.Task.IsCompleted)
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the method did not pass 3 updates to onUpdate.", tokenText, "3 updates, then more until the token is cancelled",
                reading.IsFaulted ? Describe(reading.Exception!.InnerException!) : $"{Snapshot(seenAgain).Count} updates", hint: "read-all");
        }
        stop.Cancel();
        if (!await CompletesWithinAsync(reading, Patience))
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the method kept reading after the cancellation token was cancelled.", tokenText,
                "the method ends soon after the token is cancelled", $"still reading {Patience.TotalSeconds:0} s later", hint: "pass-token");
        }
        if (reading.Exception?.InnerException is { } error && error is not OperationCanceledException and not RpcException { StatusCode: StatusCode.Cancelled })
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the method failed in an unexpected way when the token was cancelled.", tokenText,
                "it returns, or throws RpcException with StatusCode.Cancelled", Describe(error), hint: "pass-token");
        }
        var second = reference.Log.Calls.ElementAtOrDefault(1);
        if (second is null || !await CompletesWithinAsync(second.Cancelled.Task, Patience))
        {
            throw GradingFailure.For(Exercises.ReadTimeUpdatesAsync, "the server never saw the call cancelled after the token was.", tokenText,
                "the call cancelled", second is null ? "no second GetTimeUpdates call" : "the call still open", hint: "pass-token");
        }
        await ReadTimeUpdatesServerFailsAsync(learnerRead, reference);
    }

    public static async Task ReadNumbersAsync(
        Func<RandomService.RandomServiceClient, RandomRequest, TimeSpan, Task<IReadOnlyList<RandomNumber>>> learnerRead)
    {
        await using var reference = await ReferenceRandomService.StartAsync();

        // A stream that ends on its own: every number, in order, and the call carries the deadline.
        var request = new RandomRequest { Min = 10, Max = 99, Count = 5, IntervalMs = 5 };
        var callText = $"ReadNumbersAsync(client, {Text(request)}, timeout: 5 s)";
        var outcome = await RunLearnerAsync(Exercises.ReadNumbersAsync, callText, () => learnerRead(reference.Client, request, TimeSpan.FromSeconds(5)), "the 5 numbers", hint: "stream-deadline");
        if (outcome.Error is not null)
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the code threw an exception.", callText, "the 5 numbers", Describe(outcome.Error), hint: "collect-until-deadline");
        }
        var call = reference.Log.Calls.FirstOrDefault();
        if (call is null || !call.Request.Equals(request))
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the server did not receive the request.", callText, Grade.Describe(request),
                call is null ? "no GenerateNumbers call" : Grade.Describe(call.Request), hint: "stream-deadline");
        }
        CheckDeadline(call, callText, TimeSpan.FromSeconds(5));
        CheckNumbers(callText, call.Sent, outcome.Result!);

        // A server that goes quiet after 3 of 10 numbers: the deadline ends the call, the 3 are returned.
        reference.Service.StallAfter = 3;
        var stalled = new RandomRequest { Min = 1, Max = 1000, Count = 10, IntervalMs = 5 };
        var stallText = $"ReadNumbersAsync(client, {Text(stalled)}, timeout: 0.4 s), the server going quiet after 3 numbers";
        var limit = TimeSpan.FromSeconds(3);
        outcome = await RunLearnerAsync(Exercises.ReadNumbersAsync, stallText, () => learnerRead(reference.Client, stalled, TimeSpan.FromMilliseconds(400)),
            "the 3 numbers that arrived, about 0.4 s after the call", hint: "stream-deadline", limit);
        if (outcome.Error is RpcException { StatusCode: StatusCode.DeadlineExceeded })
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "when the deadline passes, return the numbers that arrived instead of throwing.", stallText,
                "the 3 numbers that arrived", Describe(outcome.Error), hint: "collect-until-deadline");
        }
        if (outcome.Error is not null)
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the code threw an exception.", stallText, "the 3 numbers that arrived", Describe(outcome.Error), hint: "collect-until-deadline");
        }
        var stalledCall = reference.Log.Calls.ElementAtOrDefault(1);
        if (stalledCall is null)
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the server received no call.", stallText, "a GenerateNumbers call", "none", hint: "stream-deadline");
        }
        CheckDeadline(stalledCall, stallText, TimeSpan.FromMilliseconds(400));
        CheckNumbers(stallText, stalledCall.Sent, outcome.Result!);
        reference.Service.StallAfter = null;

        // Only DeadlineExceeded means "return what arrived": a rejected request is the caller's to see.
        var invalid = new RandomRequest { Min = 9, Max = 1, Count = 3 };
        var invalidText = $"ReadNumbersAsync(client, {Text(invalid)}, timeout: 5 s), which the server rejects";
        outcome = await RunLearnerAsync(Exercises.ReadNumbersAsync, invalidText, () => learnerRead(reference.Client, invalid, TimeSpan.FromSeconds(5)),
            "an RpcException with StatusCode.InvalidArgument", hint: "other-errors");
        if (outcome.Error is not RpcException { StatusCode: StatusCode.InvalidArgument })
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "errors other than DeadlineExceeded should reach the caller.", invalidText,
                "an RpcException with StatusCode.InvalidArgument",
                outcome.Error is null ? $"returned {Grade.Describe(outcome.Result)}" : Describe(outcome.Error), hint: "other-errors");
        }
    }

    private static async Task CheckTimeUpdatesAsync(StreamingService.StreamingServiceClient client, int intervalMs, int count, int expectedGapMs, TimeSpan within)
    {
        var callText = $"GetTimeUpdates(interval_ms: {intervalMs}), reading {count} updates";
        var before = DateTime.UtcNow;
        StreamRead<TimeUpdate> read;
        using (var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs }))
        {
            read = await Grade.CallServerAsync(Exercises.GetTimeUpdates, () => ReadAsync(call, count, within));
        }
        var after = DateTime.UtcNow;
        var expectedText = $"{count} updates numbered 1 to {count}, about {expectedGapMs} ms apart, going on until the client cancels";
        if (read.Messages.Count < count)
        {
            throw read.Ended
                ? GradingFailure.For(Exercises.GetTimeUpdates, "the stream ended on its own; it should go on until the client cancels.", callText, expectedText, read.ToString(), hint: "write-then-wait")
                : GradingFailure.For(Exercises.GetTimeUpdates, $"too few updates arrived within {within.TotalSeconds:0.#} s.", callText, expectedText, read.ToString(), hint: "interval-check");
        }
        var sequences = read.Messages.Select(u => u.Sequence).ToList();
        if (!sequences.SequenceEqual(Enumerable.Range(1, count).Select(i => (long)i)))
        {
            throw GradingFailure.For(Exercises.GetTimeUpdates, "the updates are not numbered 1, 2, 3, ... in each call.", callText,
                $"sequence {Grade.Describe(Enumerable.Range(1, count))}", $"sequence {Shorten(sequences)}", hint: "write-then-wait");
        }
        if (read.Messages.Any(u => u.Time is null))
        {
            throw GradingFailure.For(Exercises.GetTimeUpdates, "an update has no time.", callText, "every update with the current UTC time", read.ToString(), hint: "write-then-wait");
        }
        var times = read.Messages.Select(u => u.Time.ToDateTime()).ToList();
        // A generous margin: the check is "this is the server's clock now", not a timing test.
        if (times.Any(t => t < before.AddSeconds(-5) || t > after.AddSeconds(5)))
        {
            throw GradingFailure.For(Exercises.GetTimeUpdates, "the times are not the server's current UTC time.", callText,
                $"times between {before:O} and {after:O}", Grade.Describe(times.Select(t => t.ToString("O"))), hint: "write-then-wait");
        }
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        if (gaps.Sum() < (count - 1) * expectedGapMs * 0.75 || gaps.Any(g => g <= 0))
        {
            throw GradingFailure.For(Exercises.GetTimeUpdates, intervalMs == 0 ? "interval_ms 0 should mean the default, 1,000 ms." : "the updates came faster than interval_ms asks.",
                callText, $"about {expectedGapMs} ms between two updates", $"gaps of {Grade.Describe(gaps.Select(g => $"{g:0} ms"))}", hint: "interval-check");
        }
    }

    private static async Task<StreamRead<RandomNumber>> GenerateAsync(RandomService.RandomServiceClient client, RandomRequest request)
    {
        StreamRead<RandomNumber> read;
        try
        {
            // A few more than asked for, so a stream that sends too many (or never ends) shows it.
            using var call = client.GenerateNumbers(request);
            read = await Grade.CallServerAsync(Exercises.GenerateNumbers, () => ReadAsync(call, request.Count + 3, TimeSpan.FromSeconds(3)));
        }
        catch (RpcException ex)
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, "the call failed.", Text(request), $"{request.Count} numbers, then status OK",
                Grade.DescribeStatus(ex), hint: ex.StatusCode == StatusCode.InvalidArgument ? "request-check" : "inclusive-max");
        }
        var expected = $"{request.Count} numbers from {request.Min} to {request.Max}, numbered 1 to {request.Count}, then the end of the stream";
        if (read.Messages.Count != request.Count || !read.Ended)
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, read.Messages.Count > request.Count ? "the stream has too many numbers." : "the stream should end after count numbers.",
                Text(request), expected, read.ToString(), hint: "count-and-pace");
        }
        var sequences = read.Messages.Select(n => n.Sequence).ToList();
        if (!sequences.SequenceEqual(Enumerable.Range(1, request.Count)))
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, "the numbers are not numbered 1, 2, 3, ...", Text(request), expected, $"sequence {Shorten(sequences)}", hint: "count-and-pace");
        }
        var outside = read.Messages.Where(n => n.Value < request.Min || n.Value > request.Max).Select(n => n.Value).Distinct().ToList();
        if (outside.Count > 0)
        {
            throw GradingFailure.For(Exercises.GenerateNumbers, "some numbers are outside [min, max].", Text(request), expected, $"values {Grade.Describe(outside)}", hint: "inclusive-max");
        }
        return read;
    }

    /// <summary>Reads a call that should be rejected; a message means the handler sent data before checking the request.</summary>
    private static async Task<StreamRead<T>> ExpectNothingAsync<T>(Exercise exercise, string callText, Func<AsyncServerStreamingCall<T>> start)
    {
        var read = await ReadAsync(start, 3, Patience);
        if (read.Messages.Count > 0)
        {
            throw GradingFailure.For(exercise, "a bad request should be rejected before anything is sent.", callText,
                "status InvalidArgument, and no messages", read.ToString(), hint: exercise == Exercises.GetTimeUpdates ? "interval-check" : "request-check");
        }
        return read;
    }

    private static void CheckHasMessage(Exercise exercise, string callText, RpcException rejected, string hint)
    {
        if (string.IsNullOrWhiteSpace(rejected.Status.Detail))
        {
            throw GradingFailure.For(exercise, "the error has no message.", callText, "status InvalidArgument with a message that says what is wrong",
                "status InvalidArgument with an empty message", hint);
        }
    }

    private static void CheckDeadline(RecordedCall<RandomRequest, RandomNumber> call, string callText, TimeSpan timeout)
    {
        if (call.Deadline == DateTime.MaxValue || call.Deadline == default)
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the call was made without a deadline.", callText, $"a deadline {Seconds(timeout)} after the call", "no deadline", hint: "stream-deadline");
        }
        var allowed = call.Deadline - call.ReceivedAt;
        if (allowed < timeout * 0.5 || allowed > timeout * 1.25 + TimeSpan.FromMilliseconds(100))
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the deadline is not the timeout from now.", callText, $"a deadline {Seconds(timeout)} after the call",
                $"a deadline {Seconds(allowed)} after the call", hint: "stream-deadline");
        }
    }

    private static void CheckNumbers(string callText, IReadOnlyList<RandomNumber> sent, IReadOnlyList<RandomNumber> returned)
    {
        var expected = sent.Select(DescribeNumber).ToList();
        var actual = (returned ?? []).Select(DescribeNumber).ToList();
        if (!actual.SequenceEqual(expected))
        {
            throw GradingFailure.For(Exercises.ReadNumbersAsync, "the method should return every number that arrived, in order.", callText,
                Shorten(expected), Shorten(actual), hint: "collect-until-deadline");
        }
    }

    /// <summary>Starts a call, reads it like <see cref="ReadAsync{T}(AsyncServerStreamingCall{T}, int, TimeSpan)"/>, then disposes it (which cancels it if it still runs).</summary>
    private static async Task<StreamRead<T>> ReadAsync<T>(Func<AsyncServerStreamingCall<T>> start, int max, TimeSpan within)
    {
        using var call = start();
        return await ReadAsync(call, max, within);
    }

    /// <summary>Reads up to <paramref name="max"/> messages, for at most <paramref name="within"/>; an error status is thrown as RpcException.</summary>
    private static async Task<StreamRead<T>> ReadAsync<T>(AsyncServerStreamingCall<T> call, int max, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var messages = new List<T>();
        var arrivals = new List<TimeSpan>();
        while (messages.Count < max)
        {
            var left = within - clock.Elapsed;
            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            if (left <= TimeSpan.Zero || !await CompletesWithinAsync(next, left))
            {
                // The pending read fails when the caller disposes the call; nobody needs its outcome.
                _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default);
                return new StreamRead<T>(messages, arrivals, max, Ended: false, within);
            }
            if (!await next)
            {
                return new StreamRead<T>(messages, arrivals, max, Ended: true, within);
            }
            messages.Add(call.ResponseStream.Current);
            arrivals.Add(clock.Elapsed);
        }
        return new StreamRead<T>(messages, arrivals, max, Ended: false, within);
    }

    private static async Task<(T? Result, Exception? Error)> RunLearnerAsync<T>(Exercise exercise, string callText, Func<Task<T>> learnerCode,
        string expected, string hint, TimeSpan? limit = null)
    {
        var time = limit ?? TimeSpan.FromSeconds(5);
        var task = Start(learnerCode);
        if (!await CompletesWithinAsync(task, time))
        {
            throw GradingFailure.For(exercise, $"the code did not finish within {Seconds(time)}.", callText, expected, $"still running after {Seconds(time)}", hint);
        }
        try
        {
            return (await task, null);
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(exercise);
        }
        catch (Exception ex)
        {
            return (default, ex);
        }
    }

    /// <summary>Starts learner code; an exception thrown before its first await becomes a faulted task.</summary>
    private static Task<T> Start<T>(Func<Task<T>> code)
    {
        try
        {
            return code();
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private static Task Start(Func<Task> code)
    {
        try
        {
            return code();
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>True when the task ends (in any way) within the time; it is not awaited for its result.</summary>
    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan time)
    {
        try
        {
            await task.WaitAsync(time);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
        catch (Exception)
        {
        }
        return true;
    }

    private static int Add(List<TimeUpdate> list, TimeUpdate update)
    {
        lock (list)
        {
            list.Add(update);
            return list.Count;
        }
    }

    private static List<TimeUpdate> Snapshot(List<TimeUpdate> list)
    {
        lock (list)
        {
            return list.ToList();
        }
    }

    /// <summary>A long list's first items and its length, for failure messages.</summary>
    private static string Shorten<T>(IReadOnlyList<T> items) =>
        items.Count <= 12 ? Grade.Describe(items) : $"[{string.Join(", ", items.Take(10))}, ... ({items.Count} in all)]";

    private static string Text(RandomRequest r) => $"GenerateNumbers(min: {r.Min}, max: {r.Max}, count: {r.Count}, interval_ms: {r.IntervalMs})";

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.0#} s";

    private static string Describe(Exception ex) => Grade.DescribeException(ex);

    private static string DescribeUpdate(TimeUpdate u) => $"[{u.Sequence}] {u.Time?.ToDateTime():HH:mm:ss.fff}";

    private static string DescribeNumber(RandomNumber n) => $"#{n.Sequence}: {n.Value}";
}

/// <summary>What a read of a server stream got: the messages, when each arrived, and whether the stream ended or went quiet.</summary>
internal sealed record StreamRead<T>(IReadOnlyList<T> Messages, IReadOnlyList<TimeSpan> Arrivals, int Max, bool Ended, TimeSpan Within)
{
    public override string ToString()
    {
        var shown = Messages.Take(8).Select(m => m?.ToString() ?? "null").ToList();
        var list = Messages.Count == 0 ? "no messages" : $"{Messages.Count} messages: {string.Join(", ", shown)}{(Messages.Count > shown.Count ? ", ..." : "")}";
        return list + (Ended ? ", then the stream ended"
            : Messages.Count >= Max ? " (the grader read no further)"
            : $", then nothing more within {Within.TotalSeconds:0.#} s");
    }
}
