using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Grading.Chapter01;

/// <summary>What the reference server received, in order.</summary>
public sealed class CallRecorder
{
    private readonly List<object> calls = new();
    private readonly List<(DateTime ReceivedAt, DateTime Deadline)> deadlines = new();

    public IReadOnlyList<object> Calls
    {
        get
        {
            lock (calls)
            {
                return calls.ToList();
            }
        }
    }

    public IReadOnlyList<(DateTime ReceivedAt, DateTime Deadline)> Deadlines
    {
        get
        {
            lock (calls)
            {
                return deadlines.ToList();
            }
        }
    }

    /// <summary>When set, every call fails with this status after it is recorded: a failing server, for a client that must not hide it.</summary>
    public Status? FailWith { get; set; }

    /// <summary>True when a ListFiles call arrived while a WriteFile call had not been answered yet.</summary>
    public bool ListedDuringWrite { get; set; }

    public void Record(object request, ServerCallContext context)
    {
        lock (calls)
        {
            calls.Add(request);
            deadlines.Add((DateTime.UtcNow, context.Deadline));
        }
        if (FailWith is { } status)
        {
            throw new RpcException(status);
        }
    }
}

/// <summary>The server a learner's chapter 1 client is graded against. Its answers differ from the exercise's so a client cannot fake them.</summary>
public sealed class ReferenceFileService(CallRecorder recorder) : FileService.FileServiceBase
{
    public static readonly DateTime FixedTime = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private readonly List<string> stored = ["existing.txt"];

    public static string Greeting(string name) => $"Greetings, {name}, from the reference server";

    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
        return Task.FromResult(new HelloReply { Message = Greeting(request.Name) });
    }

    public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
        return Task.FromResult(new ServerTimeReply { Time = Timestamp.FromDateTime(FixedTime) });
    }

    private readonly TaskCompletionSource listArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int unansweredWrites;

    /// <summary>
    /// A write that takes its time, like a slow disk: it answers after a moment, or at once when a
    /// listing arrives meanwhile. A client that lists without awaiting its write is then seen doing so.
    /// </summary>
    public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
        Interlocked.Increment(ref unansweredWrites);
        try
        {
            await Task.WhenAny(listArrived.Task, Task.Delay(WriteTime, context.CancellationToken));
            lock (stored)
            {
                stored.Add(request.FileName);
            }
            return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
        }
        finally
        {
            Interlocked.Decrement(ref unansweredWrites);
        }
    }

    /// <summary>How long the reference server takes to store a file.</summary>
    public static readonly TimeSpan WriteTime = TimeSpan.FromMilliseconds(250);

    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
        if (Volatile.Read(ref unansweredWrites) > 0)
        {
            recorder.ListedDuringWrite = true;
        }
        listArrived.TrySetResult();
        var reply = new ListFilesReply();
        lock (stored)
        {
            // In the order stored, not sorted: a client that sorts the names itself is caught.
            reply.Files.AddRange(stored.Select(n => new FileEntry { Name = n, Size = 1 }));
        }
        return Task.FromResult(reply);
    }

    /// <summary>A running reference server, its recorder and a client to it.</summary>
    public sealed class Running(GrpcTestHost host, CallRecorder recorder) : IAsyncDisposable
    {
        public CallRecorder Recorder { get; } = recorder;

        public FileService.FileServiceClient Client { get; } = new(host.CreateChannel());

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    public static async Task<Running> StartAsync()
    {
        var recorder = new CallRecorder();
        var service = new ReferenceFileService(recorder);
        var host = await Grade.HostAsync<ReferenceFileService>(services => services.AddSingleton(service));
        return new Running(host, recorder);
    }
}
