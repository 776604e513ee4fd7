using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>
/// Grades chapter 4. Server exercises host the learner's service and stream messages to it with
/// the generated client; client exercises run the learner's code against a reference server
/// (<see cref="ReferenceNumberService"/>, <see cref="ReferenceSensorService"/>) that records
/// every message, whether the stream was completed, and the deadline.
/// </summary>
public static partial class Chapter04Grader
{
    /// <summary>How long a client may leave its request stream open after its last message before it is judged to have forgotten CompleteAsync.</summary>
    private static readonly TimeSpan StreamEndWait = TimeSpan.FromSeconds(5);

    /// <summary>How long a reading may take to reach the server before the client is judged to be collecting readings instead of sending them.</summary>
    private static readonly TimeSpan ArrivalWait = TimeSpan.FromSeconds(5);

    public static async Task SumNumbersAsync<TService>(Func<TService> createService)
        where TService : NumberService.NumberServiceBase
    {
        await using var host = await Grade.HostAsync(createService);
        var client = new NumberService.NumberServiceClient(host.CreateChannel());

        await ExpectSumAsync(client, Enumerable.Range(1, 10).ToArray(), 55, "the sum of 1 to 10 is not right.", hint: "read-and-add");
        await ExpectSumAsync(client, [], 0, "an empty stream (no numbers at all) should answer 0.", hint: "empty-stream");
        await ExpectSumAsync(client, [-5, 12, -30, 8], -15, "numbers with negatives are not added up right.", hint: "read-and-add");
        await ExpectSumAsync(client, [int.MaxValue], int.MaxValue, "int.MaxValue on its own fits in an int32.", hint: "long-total");
        await ExpectSumAsync(client, [int.MinValue], int.MinValue, "int.MinValue on its own fits in an int32.", hint: "long-total");

        foreach (var numbers in new[] { new[] { int.MaxValue, 1 }, [int.MinValue, -1], [int.MaxValue, int.MaxValue, int.MaxValue] })
        {
            var call = SumCall(numbers);
            var error = await Grade.ExpectErrorAsync(Exercises.SumNumbers, call, StatusCode.OutOfRange,
                () => SendAsync(client.SumNumbers(), numbers.Select(n => new NumberRequest { Num = n })), hint: "long-total");
            if (string.IsNullOrWhiteSpace(error.Status.Detail))
            {
                throw GradingFailure.For(Exercises.SumNumbers, "the OUT_OF_RANGE error has no message.", call,
                    "a message saying that the sum does not fit in an int32", "an empty message", hint: "long-total");
            }
        }

        const string midway = "only the final total has to fit in an int32: this sum leaves the range midway and comes back.";
        await ExpectSumAsync(client, [int.MaxValue, 1, -1], int.MaxValue, midway, hint: "final-total");
        await ExpectSumAsync(client, [int.MinValue, -5, 10], int.MinValue + 5, midway, hint: "final-total");
    }

    public static async Task SummarizeReadingsAsync<TService>(Func<TService> createService)
        where TService : SensorService.SensorServiceBase
    {
        await using var host = await Grade.HostAsync(createService);
        var client = new SensorService.SensorServiceClient(host.CreateChannel());

        await ExpectSummaryAsync(client, [("kitchen", 21.5), ("hall", 19.0), ("kitchen", 23.25), ("garden", 20.0)], (4, 19.0, 23.25, 20.9375));
        await ExpectSummaryAsync(client, [("freezer", -3.5), ("freezer", -1.25), ("freezer", -7.0)], (3, -7.0, -1.25, -11.75 / 3));
        await ExpectSummaryAsync(client, [("attic", 42.0)], (1, 42.0, 42.0, 42.0));
        await ExpectSummaryAsync(client, [], (0, 0, 0, 0));

        var invalid = new (string Name, (string Sensor, double Value)[] Readings, int Position)[]
        {
            ("NaN", [("hall", 20.0), ("hall", 21.0), ("hall", 22.0), ("hall", double.NaN), ("hall", 23.0)], 4),
            ("Infinity", [("attic", double.PositiveInfinity), ("attic", 20.0)], 1),
            ("-Infinity", [("cellar", 20.0), ("cellar", double.NegativeInfinity), ("cellar", 21.0)], 2),
        };
        foreach (var (name, readings, position) in invalid)
        {
            var call = SummarizeCall(readings);
            var error = await Grade.ExpectErrorAsync(Exercises.SummarizeReadings, call, StatusCode.InvalidArgument,
                () => SendAsync(client.SummarizeReadings(), readings.Select(r => new SensorReading { SensorId = r.Sensor, Value = r.Value })), hint: "finite-values");
            if (!Regex.IsMatch(error.Status.Detail, $"(?<![0-9]){position}(?![0-9])"))
            {
                throw GradingFailure.For(Exercises.SummarizeReadings, $"the error should say which reading is {name}, by its position counting from 1.", call,
                    $"a message with the position {position}, like \"Reading {position} (sensor '{readings[position - 1].Sensor}') is {name}\"",
                    $"\"{error.Status.Detail}\"", hint: "finite-values");
            }
        }
    }

    public static async Task SumAsync(Func<NumberService.NumberServiceClient, IEnumerable<int>, Task<int>> learnerSum)
    {
        foreach (var numbers in new[] { Enumerable.Range(1, 10).ToArray(), [], [-7, 250, -3] })
        {
            await using var reference = await ReferenceServers.StartNumbersAsync();
            var callText = $"SumAsync(client, {Grade.Describe(numbers)})";
            var run = Grade.RunClientAsync(Exercises.SumAsync, callText, () => learnerSum(reference.Client, numbers));
            await WaitForStreamEndAsync(Exercises.SumAsync, callText, reference.Recorder, run, completeHint: "complete-numbers");
            var result = await run;
            CheckStream(Exercises.SumAsync, callText, reference.Recorder, numbers, "SumNumbers", "number", completeHint: "complete-numbers", n => n.ToString(CultureInfo.InvariantCulture));
            var expected = ReferenceNumberService.Answer(numbers);
            if (result != expected)
            {
                throw GradingFailure.For(Exercises.SumAsync, $"the method should return the sum the server sent. (The grading server adds {ReferenceNumberService.Marker} to every sum, so a sum added up on the client shows.)",
                    callText, $"{expected}, the server's answer", result.ToString(CultureInfo.InvariantCulture), hint: "server-answer");
            }
        }

        int[] tooBig = [int.MaxValue, 1];
        await using (var reference = await ReferenceServers.StartNumbersAsync())
        {
            var callText = $"SumAsync(client, [{int.MaxValue}, 1]) when the server answers OUT_OF_RANGE";
            // Not through Grade.RunClientAsync: here an exception is the right outcome.
            var run = Task.Run(() => learnerSum(reference.Client, tooBig));
            await WaitForStreamEndAsync(Exercises.SumAsync, callText, reference.Recorder, run, completeHint: "complete-numbers");
            const string expected = "the server's RpcException, with StatusCode.OutOfRange";
            try
            {
                var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
                throw GradingFailure.For(Exercises.SumAsync, "the server answered OUT_OF_RANGE, so the method should let that RpcException reach its caller.", callText,
                    expected, $"the method returned {result}", hint: "server-answer");
            }
            catch (NotImplementedException)
            {
                throw NotStartedException.For(Exercises.SumAsync);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange)
            {
            }
            catch (RpcException ex)
            {
                throw GradingFailure.For(Exercises.SumAsync, "the call should end with the server's status, OUT_OF_RANGE.", callText, expected,
                    Grade.DescribeException(ex), hint: "server-answer");
            }
            catch (TimeoutException)
            {
                throw GradingFailure.For(Exercises.SumAsync, "the code did not finish within 30 seconds.", callText, expected, "no result after 30 s", hint: "complete-numbers");
            }
            catch (Exception ex) when (ex is not GradingFailure)
            {
                throw GradingFailure.For(Exercises.SumAsync, "the server's RpcException should reach the caller unchanged.", callText, expected,
                    Grade.DescribeException(ex), hint: "server-answer");
            }
        }
    }

    public static async Task SummarizeAsync(Func<SensorService.SensorServiceClient, IAsyncEnumerable<SensorReading>, DateTime, Task<ReadingSummary>> learnerSummarize)
    {
        SensorReading[] readings =
        [
            new() { SensorId = "kitchen", Value = 21.5 },
            new() { SensorId = "hall", Value = 19.0 },
            new() { SensorId = "kitchen", Value = 22.0 },
            new() { SensorId = "garden", Value = 12.25 },
            new() { SensorId = "hall", Value = 19.5 },
        ];
        await using var reference = await ReferenceServers.StartSensorsAsync();
        var device = new Device(readings, reference.Recorder);
        var startedAt = DateTime.UtcNow;
        var deadline = startedAt.AddSeconds(20);
        const string callText = "SummarizeAsync(client, 5 readings arriving one at a time, deadline: 20 s from now)";

        var run = Grade.RunClientAsync(Exercises.SummarizeAsync, callText, () => learnerSummarize(reference.Client, device.ReadingsAsync(), deadline));
        await WaitForStreamEndAsync(Exercises.SummarizeAsync, callText, reference.Recorder, run, completeHint: "complete-readings");
        var result = await run;

        CheckStream(Exercises.SummarizeAsync, callText, reference.Recorder, readings, "SummarizeReadings", "reading", completeHint: "complete-readings", r => $"{r.SensorId} {Value(r.Value)}");
        if (device.WaitedInVain is { } waitedFor)
        {
            throw GradingFailure.For(Exercises.SummarizeAsync, "the readings were not sent as they came.", callText,
                $"each reading written to the call as soon as the loop gives it out, so reading {waitedFor} reaches the server before the next one is read",
                $"reading {waitedFor} had not reached the server {ArrivalWait.TotalSeconds:0} s after it was given out: the readings were collected first", hint: "stream-readings");
        }
        var recordedDeadline = reference.Recorder.Deadline;
        const string expectedDeadline = "the deadline passed to the method, 20 s after the call started";
        if (recordedDeadline == DateTime.MaxValue)
        {
            throw GradingFailure.For(Exercises.SummarizeAsync, "the call was made without a deadline.", callText, expectedDeadline, "no deadline", hint: "summary-deadline");
        }
        if ((recordedDeadline - deadline).Duration() > TimeSpan.FromSeconds(2))
        {
            var seconds = (recordedDeadline - startedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            throw GradingFailure.For(Exercises.SummarizeAsync, "the call's deadline is not the one passed to the method.", callText, expectedDeadline, $"a deadline {seconds} s after the call started", hint: "summary-deadline");
        }
        var expected = ReferenceSensorService.Summarize(readings);
        if (!expected.Equals(result))
        {
            throw GradingFailure.For(Exercises.SummarizeAsync, $"the method should return the summary the server sent. (The grading server adds {ReferenceSensorService.Marker} to the mean, so a summary worked out on the client shows.)", callText,
                SummaryText(expected.Count, expected.Min, expected.Max, expected.Mean),
                result is null ? "null" : SummaryText(result.Count, result.Min, result.Max, result.Mean), hint: "complete-readings");
        }
        await SummarizeServerFailsAsync(learnerSummarize);
        await SummarizeDeviceGoesQuietAsync(learnerSummarize);
    }

    private static async Task ExpectSumAsync(NumberService.NumberServiceClient client, int[] numbers, int expected, string problem, string hint)
    {
        var call = SumCall(numbers);
        NumberResponse reply;
        try
        {
            reply = await Grade.CallServerAsync(Exercises.SumNumbers, () => SendAsync(client.SumNumbers(), numbers.Select(n => new NumberRequest { Num = n })));
        }
        catch (RpcException ex)
        {
            throw GradingFailure.For(Exercises.SumNumbers, problem, call, $"sum {expected}", Grade.DescribeStatus(ex), hint);
        }
        if (reply.Sum != expected)
        {
            throw GradingFailure.For(Exercises.SumNumbers, problem, call, $"sum {expected}", $"sum {reply.Sum}", hint);
        }
    }

    private static async Task ExpectSummaryAsync(SensorService.SensorServiceClient client, (string Sensor, double Value)[] readings, (int Count, double Min, double Max, double Mean) expected)
    {
        var call = SummarizeCall(readings);
        var expectedText = SummaryText(expected.Count, expected.Min, expected.Max, expected.Mean);
        var problem = readings.Length == 0
            ? "an empty stream (no readings at all) should answer count 0 with min, max and mean 0."
            : "the summary is not right.";
        ReadingSummary reply;
        try
        {
            reply = await Grade.CallServerAsync(Exercises.SummarizeReadings, () => SendAsync(client.SummarizeReadings(), readings.Select(r => new SensorReading { SensorId = r.Sensor, Value = r.Value })));
        }
        catch (RpcException ex)
        {
            throw GradingFailure.For(Exercises.SummarizeReadings, problem, call, expectedText, Grade.DescribeStatus(ex), hint: readings.Length == 0 ? "mean-and-empty" : "min-max-start");
        }
        var countMinMaxRight = reply.Count == expected.Count && reply.Min.Equals(expected.Min) && reply.Max.Equals(expected.Max);
        var meanRight = Math.Abs(reply.Mean - expected.Mean) <= 1e-9 * Math.Max(1, Math.Abs(expected.Mean));
        if (!countMinMaxRight || !meanRight)
        {
            var hint = readings.Length == 0 || countMinMaxRight ? "mean-and-empty" : "min-max-start";
            throw GradingFailure.For(Exercises.SummarizeReadings, problem, call, expectedText, SummaryText(reply.Count, reply.Min, reply.Max, reply.Mean), hint);
        }
    }

    /// <summary>
    /// Streams the requests to the server under test, completes the stream and returns the answer.
    /// When the server ends the call early (with an error), writing stops and its status comes from ResponseAsync.
    /// </summary>
    private static async Task<TResponse> SendAsync<TRequest, TResponse>(AsyncClientStreamingCall<TRequest, TResponse> call, IEnumerable<TRequest> requests)
    {
        using (call)
        {
            try
            {
                foreach (var request in requests)
                {
                    if (call.ResponseAsync.IsCompleted)
                    {
                        break;
                    }
                    await call.RequestStream.WriteAsync(request).WaitAsync(TimeSpan.FromSeconds(10));
                }
                await call.RequestStream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or TimeoutException)
            {
                // The call has ended (or is stuck); ResponseAsync has the server's status.
            }
            return await call.ResponseAsync;
        }
    }

    /// <summary>
    /// Waits until the learner's request stream has ended, or the learner's code has finished.
    /// A stream still open after <see cref="StreamEndWait"/> means CompleteAsync was forgotten:
    /// the server would wait for more messages forever.
    /// </summary>
    private static async Task WaitForStreamEndAsync<T>(Exercise exercise, string callText, StreamRecorder<T> recorder, Task learnerRun, string completeHint)
    {
        try
        {
            await Task.WhenAny(learnerRun, recorder.Ended.Task).WaitAsync(StreamEndWait);
            if (recorder.Calls > 0)
            {
                // The code may have returned with its call still open; it must end one way or another.
                await recorder.Ended.Task.WaitAsync(StreamEndWait);
            }
        }
        catch (TimeoutException)
        {
            // Seen to, so the learner's failing task, once the reference server stops, is not left unobserved.
            _ = learnerRun.ContinueWith(t => t.Exception, TaskScheduler.Default);
            if (recorder.Calls == 0)
            {
                throw GradingFailure.For(exercise, "the code did not finish, and no call reached the server.", callText,
                    "one call, streaming every message, then completed", $"no call after {StreamEndWait.TotalSeconds:0} s", hint: exercise == Exercises.SumAsync ? "write-numbers" : "stream-readings");
            }
            throw GradingFailure.For(exercise, "the server is still waiting for the end of the request stream, so the call can never finish.", callText,
                "the request stream completed (CompleteAsync) after the last message",
                $"{recorder.Received.Count} message(s) received, then nothing for {StreamEndWait.TotalSeconds:0} s", completeHint);
        }
    }

    /// <summary>Checks that one call carried every message, in order, and that the client completed the stream.</summary>
    private static void CheckStream<T>(Exercise exercise, string callText, StreamRecorder<T> recorder, IReadOnlyList<T> sent, string method, string what, string completeHint, Func<T, string> describe)
    {
        var expectedStream = $"one {method} call streaming {List(sent, describe)}, then completed";
        if (recorder.Calls != 1)
        {
            throw GradingFailure.For(exercise, $"every {what} should go on one {method} call, as one stream.", callText, expectedStream,
                recorder.Calls == 0 ? "no call" : $"{recorder.Calls} calls", hint: exercise == Exercises.SumAsync ? "write-numbers" : "stream-readings");
        }
        var received = recorder.Received;
        if (!received.SequenceEqual(sent))
        {
            throw GradingFailure.For(exercise, $"the server did not receive every {what}, in order.", callText, List(sent, describe), List(received, describe), hint: exercise == Exercises.SumAsync ? "write-numbers" : "stream-readings");
        }
        if (!recorder.Completed)
        {
            throw GradingFailure.For(exercise, "the request stream was not completed, so the server never learned that the last message had been sent.", callText,
                $"CompleteAsync() after the last {what}, then the server's answer", "the call was ended (cancelled) without completing the stream", completeHint);
        }
    }

    private static string List<T>(IEnumerable<T> items, Func<T, string> describe) => "[" + string.Join(", ", items.Select(describe)) + "]";

    private static string SumCall(int[] numbers) => numbers.Length == 0
        ? "SumNumbers streaming no numbers (completed at once)"
        : $"SumNumbers streaming [{string.Join(", ", numbers.Select(Number))}]";

    private static string Number(int n) => n switch
    {
        int.MaxValue => "2147483647 (int.MaxValue)",
        int.MinValue => "-2147483648 (int.MinValue)",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static string SummarizeCall((string Sensor, double Value)[] readings) => readings.Length == 0
        ? "SummarizeReadings streaming no readings (completed at once)"
        : $"SummarizeReadings streaming [{string.Join(", ", readings.Select(r => $"{r.Sensor} {Value(r.Value)}"))}]";

    private static string SummaryText(int count, double min, double max, double mean) =>
        $"count {count}, min {Value(min)}, max {Value(max)}, mean {Value(mean)}";

    private static string Value(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// A device whose readings come one at a time: it produces the next reading only once the
    /// previous one has reached the server, as long as that happens within <see cref="ArrivalWait"/>.
    /// </summary>
    private sealed class Device(IReadOnlyList<SensorReading> readings, StreamRecorder<SensorReading> arrivals)
    {
        /// <summary>The 1-based number of the first reading that did not reach the server in time, if any.</summary>
        public int? WaitedInVain { get; private set; }

        public async IAsyncEnumerable<SensorReading> ReadingsAsync()
        {
            for (var i = 0; i < readings.Count; i++)
            {
                if (i > 0 && WaitedInVain is null)
                {
                    try
                    {
                        await arrivals.WhenReceived(i).WaitAsync(ArrivalWait);
                    }
                    catch (TimeoutException)
                    {
                        WaitedInVain = i;
                    }
                }
                yield return readings[i];
            }
        }
    }
}
