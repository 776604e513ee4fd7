using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.Numbers;

namespace StreamingTutorial.Grading.Chapter04;

/// <summary>What a reference server received on its client streams: the messages in order, how each stream ended, the deadline.</summary>
public sealed class StreamRecorder<T>
{
    private readonly object gate = new();
    private readonly List<T> received = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = new();
    private int calls;
    private bool completed;
    private DateTime deadline;

    /// <summary>When set, the server reads the whole stream, then fails with this status: a server that fails, for a client that must not hide it.</summary>
    public Grpc.Core.Status? FailWith { get; set; }

    /// <summary>Set when the first call starts.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when a call's request stream ends, completed by the client or not.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls
    {
        get
        {
            lock (gate)
            {
                return calls;
            }
        }
    }

    /// <summary>True when the client completed its request stream (the server's read loop ended normally).</summary>
    public bool Completed
    {
        get
        {
            lock (gate)
            {
                return completed;
            }
        }
    }

    /// <summary>The first call's ServerCallContext.Deadline (DateTime.MaxValue when the client set none).</summary>
    public DateTime Deadline
    {
        get
        {
            lock (gate)
            {
                return deadline;
            }
        }
    }

    public IReadOnlyList<T> Received
    {
        get
        {
            lock (gate)
            {
                return received.ToList();
            }
        }
    }

    public void Begin(ServerCallContext context)
    {
        lock (gate)
        {
            if (++calls == 1)
            {
                deadline = context.Deadline;
            }
        }
        Started.TrySetResult();
    }

    public void Add(T message)
    {
        List<TaskCompletionSource> ready;
        lock (gate)
        {
            received.Add(message);
            ready = waiters.Where(w => w.Count <= received.Count).Select(w => w.Signal).ToList();
            waiters.RemoveAll(w => w.Count <= received.Count);
        }
        ready.ForEach(signal => signal.TrySetResult());
    }

    public void End(bool completedByClient)
    {
        lock (gate)
        {
            completed = completedByClient;
        }
        Ended.TrySetResult();
    }

    /// <summary>Completes once at least <paramref name="count"/> messages have arrived.</summary>
    public Task WhenReceived(int count)
    {
        lock (gate)
        {
            if (received.Count >= count)
            {
                return Task.CompletedTask;
            }
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task;
        }
    }

    /// <summary>Reads the whole request stream into the recorder; false if it did not end with the client completing it.</summary>
    public async Task<bool> ReadAllAsync(IAsyncStreamReader<T> requests, ServerCallContext context, CancellationToken stop)
    {
        Begin(context);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stop);
        try
        {
            await foreach (var message in requests.ReadAllAsync(linked.Token))
            {
                Add(message);
            }
        }
        catch (Exception)
        {
            End(completedByClient: false);
            return false;
        }
        End(completedByClient: true);
        return true;
    }
}

/// <summary>
/// The server a learner's 4.3 client is graded against. It answers with the true sum plus
/// <see cref="Marker"/>, so a client that adds the numbers up itself instead of returning the
/// server's answer is caught; a total outside int32 is OUT_OF_RANGE, as in exercise 4.1.
/// </summary>
public sealed class ReferenceNumberService(StreamRecorder<int> recorder, CancellationToken stop) : NumberService.NumberServiceBase
{
    public const int Marker = 1000;

    public static int Answer(IEnumerable<int> numbers) => (int)numbers.Sum(n => (long)n) + Marker;

    public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
    {
        recorder.Begin(context);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stop);
        long total = 0;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(linked.Token))
            {
                recorder.Add(request.Num);
                total += request.Num;
            }
        }
        catch (Exception)
        {
            recorder.End(completedByClient: false);
            throw new RpcException(new Status(StatusCode.Cancelled, "The request stream did not end normally."));
        }
        recorder.End(completedByClient: true);
        if (total is < int.MinValue or > int.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"The sum {total} does not fit in an int32."));
        }
        return new NumberResponse { Sum = (int)total + Marker };
    }
}

/// <summary>The server a learner's 4.4 client is graded against: records every reading and the deadline, answers with the summary.</summary>
public sealed class ReferenceSensorService(StreamRecorder<SensorReading> recorder, CancellationToken stop) : SensorService.SensorServiceBase
{
    /// <summary>Added to the mean the reference answers, so a client that works out the summary itself is caught.</summary>
    public const double Marker = 1000;

    public static ReadingSummary Summarize(IReadOnlyList<SensorReading> readings) => readings.Count == 0
        ? new ReadingSummary { Mean = Marker }
        : new ReadingSummary
        {
            Count = readings.Count,
            Min = readings.Min(r => r.Value),
            Max = readings.Max(r => r.Value),
            Mean = readings.Average(r => r.Value) + Marker,
        };

    public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
    {
        if (!await recorder.ReadAllAsync(requestStream, context, stop))
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The request stream did not end normally."));
        }
        if (recorder.FailWith is { } status)
        {
            throw new RpcException(status);
        }
        return Summarize(recorder.Received);
    }
}

/// <summary>A running reference server with its recorder. Disposing it first stops any call still waiting for messages.</summary>
public sealed class RunningReference<TRecorded, TClient>(GrpcTestHost host, StreamRecorder<TRecorded> recorder, CancellationTokenSource stop, TClient client) : IAsyncDisposable
{
    public StreamRecorder<TRecorded> Recorder { get; } = recorder;

    public TClient Client { get; } = client;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await host.DisposeAsync();
        stop.Dispose();
    }
}

public static class ReferenceServers
{
    public static async Task<RunningReference<int, NumberService.NumberServiceClient>> StartNumbersAsync()
    {
        var recorder = new StreamRecorder<int>();
        var stop = new CancellationTokenSource();
        var service = new ReferenceNumberService(recorder, stop.Token);
        var host = await Grade.HostAsync<ReferenceNumberService>(services => services.AddSingleton(service));
        return new(host, recorder, stop, new NumberService.NumberServiceClient(host.CreateChannel()));
    }

    public static async Task<RunningReference<SensorReading, SensorService.SensorServiceClient>> StartSensorsAsync()
    {
        var recorder = new StreamRecorder<SensorReading>();
        var stop = new CancellationTokenSource();
        var service = new ReferenceSensorService(recorder, stop.Token);
        // Kestrel, as chapter 2's random-number server: 4.4 lets deadlines pass, and TestServer can turn the
        // server's reset after DEADLINE_EXCEEDED into another status that reaches a correct client first.
        var host = await Grade.HostAsync<ReferenceSensorService>(services => services.AddSingleton(service), HostKind.Kestrel);
        return new(host, recorder, stop, new SensorService.SensorServiceClient(host.CreateChannel()));
    }
}
