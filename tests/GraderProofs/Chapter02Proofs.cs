using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Chapter02;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter02;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.GraderProofs;

[TestFixture]
[Category("GraderProofs")]
public class Chapter02Proofs
{
    /// <summary>The solution, wired as the grader project wires the learner's code.</summary>
    private static IEnumerable<TestCaseData> SolutionChecks() => Proof.SolutionCases(Chapter02Grader.Checks(new Chapter02Code<StreamingServiceImpl, RandomServiceImpl>(
        CreateStreamingService: () => new StreamingServiceImpl(),
        CreateRandomService: () => new RandomServiceImpl(),
        ReadTimeUpdatesAsync: StreamingClient.ReadTimeUpdatesAsync,
        ReadNumbersAsync: StreamingClient.ReadNumbersAsync)));

    [TestCaseSource(nameof(SolutionChecks))]
    public Task The_solution_passes_every_check(Check check) => check.Run();

    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        new(Exercises.GetTimeUpdates, "waits without the cancellation token, so it notices the cancel an interval late", () => Chapter02Grader.GetTimeUpdatesAsync(() => new IgnoresCancellation())),
        new(Exercises.GetTimeUpdates, "checks the token only between waits that ignore it", () => Chapter02Grader.GetTimeUpdatesAsync(() => new ChecksTokenOnlyInLoop())),
        new(Exercises.GetTimeUpdates, "numbers the updates from 0", () => Chapter02Grader.GetTimeUpdatesAsync(() => new NumbersFromZero())),
        new(Exercises.GetTimeUpdates, "keeps the counter in a field shared by every call", () => Chapter02Grader.GetTimeUpdatesAsync(() => new CounterInAField())),
        new(Exercises.GetTimeUpdates, "ignores interval_ms, always 1,000 ms", () => Chapter02Grader.GetTimeUpdatesAsync(() => new IgnoresInterval())),
        new(Exercises.GetTimeUpdates, "treats interval_ms 0 as no pause at all", () => Chapter02Grader.GetTimeUpdatesAsync(() => new ZeroMeansNoPause())),
        new(Exercises.GetTimeUpdates, "waits before the first update", () => Chapter02Grader.GetTimeUpdatesAsync(() => new WaitsFirst())),
        new(Exercises.GetTimeUpdates, "accepts a negative interval", () => Chapter02Grader.GetTimeUpdatesAsync(() => new AcceptsNegativeInterval())),
        new(Exercises.GenerateNumbers, "never returns max (exclusive upper bound)", () => Chapter02Grader.GenerateNumbersAsync(() => new MaxExcluded())),
        new(Exercises.GenerateNumbers, "Next(min, max + 1), which overflows at max = int.MaxValue", () => Chapter02Grader.GenerateNumbersAsync(() => new OverflowsAtIntMax()), Hint: "inclusive-max"),
        new(Exercises.GenerateNumbers, "sends count + 1 numbers", () => Chapter02Grader.GenerateNumbersAsync(() => new OneTooMany())),
        new(Exercises.GenerateNumbers, "does not validate the request", () => Chapter02Grader.GenerateNumbersAsync(() => new NoValidation())),
        new(Exercises.GenerateNumbers, "numbers from 0", () => Chapter02Grader.GenerateNumbersAsync(() => new NumbersFromZeroRandom())),
        new(Exercises.GenerateNumbers, "ignores interval_ms", () => Chapter02Grader.GenerateNumbersAsync(() => new NoPause())),
        new(Exercises.GenerateNumbers, "rejects a bad request with an empty message", () => Chapter02Grader.GenerateNumbersAsync(() => new SilentRejection())),
        new(Exercises.ReadTimeUpdatesAsync, "does not dispose the call, so the server keeps sending", () => Chapter02Grader.ReadTimeUpdatesAsync(async (client, intervalMs, maxUpdates, onUpdate, token) =>
        {
            var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs }, cancellationToken: token);
            var received = 0;
            await foreach (var update in call.ResponseStream.ReadAllAsync(token))
            {
                onUpdate(update);
                if (++received == maxUpdates)
                {
                    break;
                }
            }
        })),
        new(Exercises.ReadTimeUpdatesAsync, "passes one update too many", () => Chapter02Grader.ReadTimeUpdatesAsync(async (client, intervalMs, maxUpdates, onUpdate, token) =>
        {
            using var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs }, cancellationToken: token);
            var received = 0;
            await foreach (var update in call.ResponseStream.ReadAllAsync(token))
            {
                onUpdate(update);
                if (received++ == maxUpdates)
                {
                    break;
                }
            }
        })),
        new(Exercises.ReadTimeUpdatesAsync, "does not send the interval", () => Chapter02Grader.ReadTimeUpdatesAsync(async (client, intervalMs, maxUpdates, onUpdate, token) =>
        {
            using var call = client.GetTimeUpdates(new TimeUpdatesRequest(), cancellationToken: token);
            var received = 0;
            await foreach (var update in call.ResponseStream.ReadAllAsync(token))
            {
                onUpdate(update);
                if (++received == maxUpdates)
                {
                    break;
                }
            }
        })),
        new(Exercises.ReadTimeUpdatesAsync, "ignores the cancellation token", () => Chapter02Grader.ReadTimeUpdatesAsync(async (client, intervalMs, maxUpdates, onUpdate, token) =>
        {
            using var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = intervalMs });
            var received = 0;
            await foreach (var update in call.ResponseStream.ReadAllAsync())
            {
                onUpdate(update);
                if (++received == maxUpdates)
                {
                    break;
                }
            }
        })),
        new(Exercises.ReadNumbersAsync, "sets no deadline", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            var numbers = new List<RandomNumber>();
            using var call = client.GenerateNumbers(request);
            try
            {
                await foreach (var number in call.ResponseStream.ReadAllAsync())
                {
                    numbers.Add(number);
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
            }
            return numbers;
        })),
        new(Exercises.ReadNumbersAsync, "lets DeadlineExceeded through", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            var numbers = new List<RandomNumber>();
            using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.Add(timeout));
            await foreach (var number in call.ResponseStream.ReadAllAsync())
            {
                numbers.Add(number);
            }
            return numbers;
        })),
        new(Exercises.ReadNumbersAsync, "returns nothing when the deadline passes", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            try
            {
                using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.Add(timeout));
                return await call.ResponseStream.ReadAllAsync().ToListAsync();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                return [];
            }
        })),
        new(Exercises.ReadNumbersAsync, "swallows every error, not only DeadlineExceeded", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            var numbers = new List<RandomNumber>();
            using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.Add(timeout));
            try
            {
                await foreach (var number in call.ResponseStream.ReadAllAsync())
                {
                    numbers.Add(number);
                }
            }
            catch (RpcException)
            {
            }
            return numbers;
        })),
        new(Exercises.ReadNumbersAsync, "uses a fixed 5 second deadline", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            var numbers = new List<RandomNumber>();
            using var call = client.GenerateNumbers(request, deadline: DateTime.UtcNow.AddSeconds(5));
            try
            {
                await foreach (var number in call.ResponseStream.ReadAllAsync())
                {
                    numbers.Add(number);
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
            }
            return numbers;
        })),
    }.Select(m => m.ToTestCase());

    // Each mutant is the solution with one method made wrong in a way learners get it wrong.

    /// <summary>The time handler with the mistakes a learner can make switched on one at a time.</summary>
    private abstract class TimeMutant : StreamingServiceImpl
    {
        private long shared;

        protected virtual bool PassToken => true;

        protected virtual bool CheckTokenInLoop => false;

        protected virtual long FirstSequence => 1;

        protected virtual bool SharedCounter => false;

        protected virtual bool WaitFirst => false;

        protected virtual bool Validate => true;

        protected virtual int Interval(int requested) => requested == 0 ? DefaultIntervalMs : requested;

        public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
        {
            if (Validate && request.IntervalMs < 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "interval_ms must not be negative."));
            }
            var interval = Interval(request.IntervalMs);
            var token = context.CancellationToken;
            var sequence = FirstSequence - 1;
            try
            {
                while (!CheckTokenInLoop || !token.IsCancellationRequested)
                {
                    if (WaitFirst)
                    {
                        await Task.Delay(interval, token);
                    }
                    var next = SharedCounter ? Interlocked.Increment(ref shared) : ++sequence;
                    await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(DateTime.UtcNow), Sequence = next });
                    if (!WaitFirst)
                    {
                        await (PassToken ? Task.Delay(interval, token) : Task.Delay(interval));
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }
    }

    private sealed class IgnoresCancellation : TimeMutant
    {
        protected override bool PassToken => false;
    }

    private sealed class ChecksTokenOnlyInLoop : TimeMutant
    {
        protected override bool PassToken => false;

        protected override bool CheckTokenInLoop => true;
    }

    private sealed class NumbersFromZero : TimeMutant
    {
        protected override long FirstSequence => 0;
    }

    private sealed class CounterInAField : TimeMutant
    {
        protected override bool SharedCounter => true;
    }

    private sealed class IgnoresInterval : TimeMutant
    {
        protected override int Interval(int requested) => DefaultIntervalMs;
    }

    private sealed class ZeroMeansNoPause : TimeMutant
    {
        protected override int Interval(int requested) => requested;
    }

    private sealed class WaitsFirst : TimeMutant
    {
        protected override bool WaitFirst => true;
    }

    private sealed class AcceptsNegativeInterval : TimeMutant
    {
        protected override bool Validate => false;

        protected override int Interval(int requested) => requested == 0 ? DefaultIntervalMs : Math.Abs(requested);
    }

    /// <summary>The random number handler with one mistake switched on.</summary>
    private abstract class RandomMutant : RandomServiceImpl
    {
        protected virtual int Extra => 0;

        protected virtual int FirstSequence => 1;

        protected virtual bool Validate => true;

        protected virtual bool Pause => true;

        protected virtual string Problem => "bad request";

        protected virtual int Next(int min, int max) => (int)Random.Shared.NextInt64(min, (long)max + 1);

        public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
        {
            if (Validate && (request.Min > request.Max || request.Count < 0 || request.IntervalMs < 0))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, Problem));
            }
            for (var i = 0; i < request.Count + Extra; i++)
            {
                if (i > 0 && Pause)
                {
                    await Task.Delay(request.IntervalMs, context.CancellationToken);
                }
                await responseStream.WriteAsync(new RandomNumber { Value = Next(request.Min, request.Max), Sequence = FirstSequence + i });
            }
        }
    }

    private sealed class OverflowsAtIntMax : RandomMutant
    {
        // max + 1 in int: at max = int.MaxValue it wraps to int.MinValue, and Next throws.
        protected override int Next(int min, int max) => Random.Shared.Next(min, max + 1);
    }

    private sealed class MaxExcluded : RandomMutant
    {
        protected override int Next(int min, int max) => Random.Shared.Next(min, max);
    }

    private sealed class OneTooMany : RandomMutant
    {
        protected override int Extra => 1;
    }

    private sealed class NoValidation : RandomMutant
    {
        protected override bool Validate => false;
    }

    private sealed class NumbersFromZeroRandom : RandomMutant
    {
        protected override int FirstSequence => 0;
    }

    private sealed class NoPause : RandomMutant
    {
        protected override bool Pause => false;
    }

    private sealed class SilentRejection : RandomMutant
    {
        protected override string Problem => "";
    }
}
