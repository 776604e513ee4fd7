using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;

namespace StreamingTutorial.Grading.Chapter02;

/// <summary>One call a reference server served: the request, its deadline, what was sent, and whether the client cancelled.</summary>
public sealed class RecordedCall<TRequest, TResponse>(TRequest request, DateTime receivedAt, DateTime deadline)
{
    private readonly List<TResponse> sent = new();
    private int sentWhenCancelled = -1;

    public TRequest Request { get; } = request;

    public DateTime ReceivedAt { get; } = receivedAt;

    /// <summary>The call's ServerCallContext.Deadline: DateTime.MaxValue when the client set none.</summary>
    public DateTime Deadline { get; } = deadline;

    /// <summary>Set when the call's CancellationToken fired (the client cancelled, disposed the call or its deadline passed).</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<TResponse> Sent
    {
        get
        {
            lock (sent)
            {
                return sent.ToList();
            }
        }
    }

    /// <summary>How many messages had been sent when the cancellation came; -1 if it has not come.</summary>
    public int SentWhenCancelled => Volatile.Read(ref sentWhenCancelled);

    public void RecordSent(TResponse message)
    {
        lock (sent)
        {
            sent.Add(message);
        }
    }

    public void RecordCancelled()
    {
        lock (sent)
        {
            Interlocked.CompareExchange(ref sentWhenCancelled, sent.Count, -1);
        }
        Cancelled.TrySetResult();
    }
}

/// <summary>The calls a reference server received, in order, and a signal for each new one.</summary>
public sealed class CallLog<TRequest, TResponse>
{
    private readonly List<RecordedCall<TRequest, TResponse>> calls = new();

    public IReadOnlyList<RecordedCall<TRequest, TResponse>> Calls
    {
        get
        {
            lock (calls)
            {
                return calls.ToList();
            }
        }
    }

    public RecordedCall<TRequest, TResponse> Begin(TRequest request, ServerCallContext context)
    {
        var call = new RecordedCall<TRequest, TResponse>(request, DateTime.UtcNow, context.Deadline);
        lock (calls)
        {
            calls.Add(call);
        }
        return call;
    }
}

/// <summary>
/// The time server a learner's chapter 2 client is graded against: it streams updates with
/// made-up times (so a client cannot fake them) at the requested pace, capped so grading is quick,
/// until the client cancels, and records when that happens.
/// </summary>
public sealed class ReferenceTimeService(CallLog<TimeUpdatesRequest, TimeUpdate> log) : StreamingService.StreamingServiceBase
{
    private static readonly DateTime Start = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    /// <summary>The time the reference puts in update number <paramref name="sequence"/>.</summary>
    public static DateTime TimeOf(long sequence) => Start.AddMilliseconds(1_234 * sequence);

    /// <summary>When set, the call fails with UNAVAILABLE after this many updates: a server that fails mid-stream.</summary>
    public int? FailAfter { get; set; }

    public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
    {
        var call = log.Begin(request, context);
        using var registration = context.CancellationToken.Register(call.RecordCancelled);
        var pause = TimeSpan.FromMilliseconds(Math.Clamp(request.IntervalMs, 1, 50));
        try
        {
            for (long sequence = 1; ; sequence++)
            {
                var update = new TimeUpdate { Time = Timestamp.FromDateTime(TimeOf(sequence)), Sequence = sequence };
                await responseStream.WriteAsync(update);
                call.RecordSent(update);
                if (sequence == FailAfter)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "the reference server fails on purpose"));
                }
                await Task.Delay(pause, context.CancellationToken);
            }
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A running reference server, its log and a client to it.</summary>
    public sealed class Running(GrpcTestHost host, CallLog<TimeUpdatesRequest, TimeUpdate> log, ReferenceTimeService service) : IAsyncDisposable
    {
        public CallLog<TimeUpdatesRequest, TimeUpdate> Log { get; } = log;

        public ReferenceTimeService Service { get; } = service;

        public StreamingService.StreamingServiceClient Client { get; } = new(host.CreateChannel());

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    public static async Task<Running> StartAsync()
    {
        var log = new CallLog<TimeUpdatesRequest, TimeUpdate>();
        var service = new ReferenceTimeService(log);
        var host = await Grade.HostAsync<ReferenceTimeService>(services => services.AddSingleton(service));
        return new Running(host, log, service);
    }
}

/// <summary>
/// The random number server a learner's chapter 2 client is graded against. Its numbers are
/// predictable (see <see cref="ValueOf"/>), it rejects min &gt; max with InvalidArgument, and
/// when <see cref="StallAfter"/> is set it goes quiet after that many numbers, until the call ends.
/// </summary>
public sealed class ReferenceRandomService(CallLog<RandomRequest, RandomNumber> log) : RandomService.RandomServiceBase
{
    /// <summary>Send this many numbers, then nothing more (null: send them all, then end the stream).</summary>
    public int? StallAfter { get; set; }

    public static int ValueOf(RandomRequest request, int sequence) =>
        (int)(request.Min + (sequence * 37L) % ((long)request.Max - request.Min + 1));

    public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
    {
        var call = log.Begin(request, context);
        using var registration = context.CancellationToken.Register(call.RecordCancelled);
        if (request.Min > request.Max)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"min ({request.Min}) is greater than max ({request.Max})."));
        }
        var pause = TimeSpan.FromMilliseconds(Math.Clamp(request.IntervalMs, 0, 50));
        for (var sequence = 1; sequence <= request.Count; sequence++)
        {
            if (sequence > StallAfter)
            {
                // Goes quiet without ending the call: only the client's deadline (or cancelling) ends it now.
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            if (sequence > 1)
            {
                await Task.Delay(pause, context.CancellationToken);
            }
            var number = new RandomNumber { Value = ValueOf(request, sequence), Sequence = sequence };
            await responseStream.WriteAsync(number);
            call.RecordSent(number);
        }
    }

    /// <summary>A running reference server, its log and a client to it.</summary>
    public sealed class Running(GrpcTestHost host, ReferenceRandomService service, CallLog<RandomRequest, RandomNumber> log) : IAsyncDisposable
    {
        public ReferenceRandomService Service { get; } = service;

        public CallLog<RandomRequest, RandomNumber> Log { get; } = log;

        public RandomService.RandomServiceClient Client { get; } = new(host.CreateChannel());

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    public static async Task<Running> StartAsync()
    {
        var log = new CallLog<RandomRequest, RandomNumber>();
        var service = new ReferenceRandomService(log);
        // On real HTTP/2: when a deadline passes, the server sends its DEADLINE_EXCEEDED trailers and
        // then resets the stream. TestServer turns that reset into an UNAVAILABLE that can reach the
        // client before its own DeadlineExceeded, so a correct client (2.4) would fail at random.
        var host = await Grade.HostAsync<ReferenceRandomService>(services => services.AddSingleton(service), HostKind.Kestrel);
        return new Running(host, service, log);
    }
}
