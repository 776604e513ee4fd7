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

    public override Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
        lock (stored)
        {
            stored.Add(request.FileName);
        }
        return Task.FromResult(new WriteFileReply { FileName = request.FileName, Size = request.Content.Length });
    }

    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        recorder.Record(request, context);
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
