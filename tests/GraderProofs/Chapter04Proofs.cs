using Grpc.Core;
using StreamingTutorial.Chapter04;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter04;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.GraderProofs;

[TestFixture]
[Category("GraderProofs")]
public class Chapter04Proofs
{
    /// <summary>The solution, wired as the grader project wires the learner's code.</summary>
    private static IEnumerable<TestCaseData> SolutionChecks() => Proof.SolutionCases(Chapter04Grader.Checks(new Chapter04Code<NumberServiceImpl, SensorServiceImpl>(
        CreateNumberService: () => new NumberServiceImpl(),
        CreateSensorService: () => new SensorServiceImpl(),
        SumAsync: NumbersClient.SumAsync,
        SummarizeAsync: NumbersClient.SummarizeAsync)));

    [TestCaseSource(nameof(SolutionChecks))]
    public Task The_solution_passes_every_check(Check check) => check.Run();

    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        new(Exercises.SumNumbers, "adds into an int, which wraps around silently", () => Chapter04Grader.SumNumbersAsync(() => new WrapsAround())),
        new(Exercises.SumNumbers, "skips the first number", () => Chapter04Grader.SumNumbersAsync(() => new SkipsFirst())),
        new(Exercises.SumNumbers, "answers the running sum before the last number", () => Chapter04Grader.SumNumbersAsync(() => new MissesLast())),
        new(Exercises.SumNumbers, "rejects an empty stream", () => Chapter04Grader.SumNumbersAsync(() => new RejectsEmpty())),
        new(Exercises.SumNumbers, "adds with checked int arithmetic (fails midway, as UNKNOWN)", () => Chapter04Grader.SumNumbersAsync(() => new CheckedInt())),
        new(Exercises.SumNumbers, "requires the running sum to stay in range", () => Chapter04Grader.SumNumbersAsync(() => new RunningSumInRange())),
        new(Exercises.SummarizeReadings, "starts min and max at 0", () => Chapter04Grader.SummarizeReadingsAsync(() => new MinMaxFromZero())),
        new(Exercises.SummarizeReadings, "computes the mean by integer division", () => Chapter04Grader.SummarizeReadingsAsync(() => new IntegerMean())),
        new(Exercises.SummarizeReadings, "counts one reading too many", () => Chapter04Grader.SummarizeReadingsAsync(() => new CountsFromOne())),
        new(Exercises.SummarizeReadings, "divides by zero on an empty stream (mean NaN)", () => Chapter04Grader.SummarizeReadingsAsync(() => new NaNMeanWhenEmpty())),
        new(Exercises.SummarizeReadings, "lets NaN and infinity through", () => Chapter04Grader.SummarizeReadingsAsync(() => new AcceptsNaN())),
        new(Exercises.SummarizeReadings, "names the bad reading's position counting from 0", () => Chapter04Grader.SummarizeReadingsAsync(() => new PositionFromZero())),
        new(Exercises.SumAsync, "forgets CompleteAsync", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            using var call = client.SumNumbers();
            foreach (var n in numbers)
            {
                await call.RequestStream.WriteAsync(new NumberRequest { Num = n });
            }
            return (await call.ResponseAsync).Sum;
        })),
        new(Exercises.SumAsync, "starts every write without awaiting it, then completes", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            using var call = client.SumNumbers();
            var writes = numbers.Select(n => call.RequestStream.WriteAsync(new NumberRequest { Num = n })).ToList();
            await Task.WhenAll(writes);
            await call.RequestStream.CompleteAsync();
            return (await call.ResponseAsync).Sum;
        })),
        new(Exercises.SumAsync, "adds the numbers up itself instead of returning the server's sum", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            await NumbersClient.SumAsync(client, numbers);
            return numbers.Sum();
        })),
        new(Exercises.SumAsync, "skips the first number", () => Chapter04Grader.SumAsync((client, numbers) => NumbersClient.SumAsync(client, numbers.Skip(1)))),
        new(Exercises.SumAsync, "makes one call per number", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            var sum = 0;
            foreach (var n in numbers)
            {
                sum = await NumbersClient.SumAsync(client, [n]);
            }
            return sum;
        })),
        new(Exercises.SumAsync, "swallows the server's error and returns 0", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            try
            {
                return await NumbersClient.SumAsync(client, numbers);
            }
            catch (RpcException)
            {
                return 0;
            }
        })),
        new(Exercises.SumAsync, "wraps the server's error in another exception", () => Chapter04Grader.SumAsync(async (client, numbers) =>
        {
            try
            {
                return await NumbersClient.SumAsync(client, numbers);
            }
            catch (RpcException ex)
            {
                throw new InvalidOperationException("Sum failed", ex);
            }
        })),
        new(Exercises.SummarizeAsync, "sets no deadline", () => Chapter04Grader.SummarizeAsync((client, readings, _) =>
            NumbersClient.SummarizeAsync(client, readings, DateTime.MaxValue))),
        new(Exercises.SummarizeAsync, "uses its own 5 second deadline", () => Chapter04Grader.SummarizeAsync((client, readings, _) =>
            NumbersClient.SummarizeAsync(client, readings, DateTime.UtcNow.AddSeconds(5)))),
        new(Exercises.SummarizeAsync, "forgets CompleteAsync", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            using var call = client.SummarizeReadings(deadline: deadline);
            await foreach (var reading in readings)
            {
                await call.RequestStream.WriteAsync(reading);
            }
            return await call.ResponseAsync;
        })),
        new(Exercises.SummarizeAsync, "collects every reading before sending", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            var all = new List<SensorReading>();
            await foreach (var reading in readings)
            {
                all.Add(reading);
            }
            return await NumbersClient.SummarizeAsync(client, all.ToAsyncEnumerable(), deadline);
        })),
        new(Exercises.SummarizeAsync, "sends the readings sorted by sensor", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            var all = new List<SensorReading>();
            await foreach (var reading in readings)
            {
                all.Add(reading);
            }
            return await NumbersClient.SummarizeAsync(client, all.OrderBy(r => r.SensorId, StringComparer.Ordinal).ToAsyncEnumerable(), deadline);
        })),
    }.Select(m => m.ToTestCase());

    // Each mutant is the solution with one method made wrong in a way learners get it wrong.

    private sealed class WrapsAround : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            var sum = 0;
            await foreach (var request in requestStream.ReadAllAsync())
            {
                sum += request.Num;
            }
            return new NumberResponse { Sum = sum };
        }
    }

    private sealed class SkipsFirst : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            long sum = 0;
            if (await requestStream.MoveNext(context.CancellationToken))
            {
                // Reads the first message to "start" the stream, then adds only the ones after it.
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    sum += requestStream.Current.Num;
                }
            }
            return sum is < int.MinValue or > int.MaxValue
                ? throw new RpcException(new Status(StatusCode.OutOfRange, "The sum does not fit in an int32."))
                : new NumberResponse { Sum = (int)sum };
        }
    }

    private sealed class MissesLast : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            long sum = 0;
            long previous = 0;
            await foreach (var request in requestStream.ReadAllAsync())
            {
                previous = sum;
                sum += request.Num;
            }
            return previous is < int.MinValue or > int.MaxValue
                ? throw new RpcException(new Status(StatusCode.OutOfRange, "The sum does not fit in an int32."))
                : new NumberResponse { Sum = (int)previous };
        }
    }

    private sealed class RejectsEmpty : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            var counting = new CountingReader<NumberRequest>(requestStream);
            var reply = await base.SumNumbers(counting, context);
            return counting.Count == 0
                ? throw new RpcException(new Status(StatusCode.InvalidArgument, "No numbers were sent."))
                : reply;
        }
    }

    private sealed class CheckedInt : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            var sum = 0;
            await foreach (var request in requestStream.ReadAllAsync())
            {
                sum = checked(sum + request.Num);
            }
            return new NumberResponse { Sum = sum };
        }
    }

    private sealed class RunningSumInRange : NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            long sum = 0;
            await foreach (var request in requestStream.ReadAllAsync())
            {
                sum += request.Num;
                if (sum is < int.MinValue or > int.MaxValue)
                {
                    throw new RpcException(new Status(StatusCode.OutOfRange, $"The running sum {sum} left the int32 range."));
                }
            }
            return new NumberResponse { Sum = (int)sum };
        }
    }

    /// <summary>The solution's summary, with the read loop replaced; the bad-value check is shared so each mutant differs in one way.</summary>
    private abstract class SummaryMutant : SensorServiceImpl
    {
        public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
        {
            var values = new List<double>();
            await foreach (var reading in requestStream.ReadAllAsync())
            {
                values.Add(reading.Value);
                if (!double.IsFinite(reading.Value) && RejectsBadValues)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"Reading {values.Count - PositionOffset} is {reading.Value}."));
                }
            }
            return Summarize(values);
        }

        protected virtual bool RejectsBadValues => true;

        protected virtual int PositionOffset => 0;

        protected virtual ReadingSummary Summarize(List<double> values) => values.Count == 0
            ? new ReadingSummary()
            : new ReadingSummary { Count = values.Count, Min = values.Min(), Max = values.Max(), Mean = values.Sum() / values.Count };
    }

    private sealed class MinMaxFromZero : SummaryMutant
    {
        protected override ReadingSummary Summarize(List<double> values)
        {
            double min = 0, max = 0;
            foreach (var value in values)
            {
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
            return values.Count == 0 ? new ReadingSummary() : new ReadingSummary { Count = values.Count, Min = min, Max = max, Mean = values.Sum() / values.Count };
        }
    }

    private sealed class IntegerMean : SummaryMutant
    {
        protected override ReadingSummary Summarize(List<double> values)
        {
            var summary = base.Summarize(values);
            summary.Mean = values.Count == 0 ? 0 : (int)values.Sum() / values.Count;
            return summary;
        }
    }

    private sealed class CountsFromOne : SummaryMutant
    {
        protected override ReadingSummary Summarize(List<double> values)
        {
            var summary = base.Summarize(values);
            summary.Count = values.Count + 1;
            return summary;
        }
    }

    private sealed class NaNMeanWhenEmpty : SummaryMutant
    {
        protected override ReadingSummary Summarize(List<double> values) => new()
        {
            Count = values.Count,
            Min = values.Count == 0 ? 0 : values.Min(),
            Max = values.Count == 0 ? 0 : values.Max(),
            Mean = values.Sum() / values.Count,
        };
    }

    private sealed class AcceptsNaN : SummaryMutant
    {
        protected override bool RejectsBadValues => false;
    }

    private sealed class PositionFromZero : SummaryMutant
    {
        protected override int PositionOffset => 1;
    }

    /// <summary>Passes messages through and counts them.</summary>
    private sealed class CountingReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public int Count { get; private set; }

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var moved = await inner.MoveNext(cancellationToken);
            if (moved)
            {
                Count++;
            }
            return moved;
        }
    }
}
