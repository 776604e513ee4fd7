using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Grading.Chapter03;

/// <summary>One chunk as the reference server received it.</summary>
public sealed record ReceivedChunk(string FileName, int Size, bool AllZero);

/// <summary>One client-streaming call as the reference server received it.</summary>
public sealed class ReceivedUpload
{
    public required string Method { get; init; }

    public required DateTime ReceivedAt { get; init; }

    /// <summary>ServerCallContext.Deadline: DateTime.MaxValue when the client set none.</summary>
    public required DateTime Deadline { get; init; }

    public List<ReceivedChunk> Chunks { get; } = new();

    /// <summary>Lower-case hex SHA-256 of all the data received, in order.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>True when the client completed its request stream; false when the server gave up waiting for the end.</summary>
    public bool StreamCompleted { get; set; }

    /// <summary>The answer the server sent.</summary>
    public Google.Protobuf.IMessage? Reply { get; set; }

    public long TotalBytes => Chunks.Sum(c => (long)c.Size);

    /// <summary>Completes when the server's handler has returned or failed: the record is final.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What the reference server received, in order.</summary>
public sealed class UploadRecorder
{
    private readonly List<ReceivedUpload> uploads = new();

    public IReadOnlyList<ReceivedUpload> Uploads
    {
        get
        {
            lock (uploads)
            {
                return uploads.ToList();
            }
        }
    }

    /// <summary>
    /// How many chunks the grader expects. Once that many have arrived, the server waits only
    /// <see cref="ReferenceUploaderService.EndOfStreamWait"/> for the end of the stream, so a
    /// client that never completes its request stream is caught quickly instead of hanging.
    /// </summary>
    public int ExpectedChunks { get; set; } = int.MaxValue;

    /// <summary>When set, the server reads the whole upload and then fails with this status: a server that fails, for a client that must not hide it.</summary>
    public Status? FailWith { get; set; }

    public void Add(ReceivedUpload upload)
    {
        lock (uploads)
        {
            uploads.Add(upload);
        }
    }
}

/// <summary>
/// The server a learner's chapter 3 client is graded against. It counts honestly (its answers are marked, so a client cannot make them up) and records
/// every chunk, the call's deadline and whether the client completed its request stream.
/// </summary>
public sealed class ReferenceUploaderService(UploadRecorder recorder) : UploaderService.UploaderServiceBase
{
    public static readonly TimeSpan EndOfStreamWait = TimeSpan.FromSeconds(2);

    public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        var upload = Start(nameof(UploadImage), context);
        try
        {
            await ReadChunksAsync(requestStream, context, upload, chunk => ("", chunk.Data));
            FailIfAsked();
            // The bytes plus a marker: an answer a client cannot make up from what it sent.
            var reply = new UploadSummary { TotalChunks = upload.Chunks.Count, TotalBytes = upload.TotalBytes + Marker };
            upload.Reply = reply;
            return reply;
        }
        finally
        {
            upload.Finished.TrySetResult();
        }
    }

    public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
    {
        var upload = Start(nameof(UploadFile), context);
        try
        {
            await ReadChunksAsync(requestStream, context, upload, chunk => (chunk.FileName, chunk.Data));
            FailIfAsked();
            // Marked too (the name it was stored under, the hash read backwards): a client that
            // hashes the file itself and returns that instead of the server's answer is caught.
            var reply = new FileUploadSummary
            {
                FileName = StoredName(upload.Chunks.FirstOrDefault()?.FileName ?? ""),
                Size = upload.TotalBytes,
                Sha256 = new string(upload.Sha256.Reverse().ToArray()),
                TotalChunks = upload.Chunks.Count,
            };
            upload.Reply = reply;
            return reply;
        }
        finally
        {
            upload.Finished.TrySetResult();
        }
    }

    /// <summary>Added to the bytes counted in the reference server's UploadSummary.</summary>
    public const long Marker = 1_000_000;

    public static string StoredName(string fileName) => $"reference-{fileName}";

    private void FailIfAsked()
    {
        if (recorder.FailWith is { } status)
        {
            throw new RpcException(status);
        }
    }

    private ReceivedUpload Start(string method, ServerCallContext context)
    {
        var upload = new ReceivedUpload { Method = method, ReceivedAt = DateTime.UtcNow, Deadline = context.Deadline };
        recorder.Add(upload);
        return upload;
    }

    private async Task ReadChunksAsync<T>(IAsyncStreamReader<T> requestStream, ServerCallContext context, ReceivedUpload upload, Func<T, (string Name, Google.Protobuf.ByteString Data)> parts)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (true)
        {
            // After the expected chunks, the end of the stream should follow at once.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            if (upload.Chunks.Count >= recorder.ExpectedChunks)
            {
                wait.CancelAfter(EndOfStreamWait);
            }
            bool more;
            try
            {
                more = await requestStream.MoveNext(wait.Token);
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                // The client stopped sending but never completed the stream: answer anyway, and remember.
                break;
            }
            if (!more)
            {
                upload.StreamCompleted = true;
                break;
            }
            var (name, data) = parts(requestStream.Current);
            upload.Chunks.Add(new ReceivedChunk(name, data.Length, data.Span.IndexOfAnyExcept((byte)0) < 0));
            sha256.AppendData(data.Span);
        }
        upload.Sha256 = Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    /// <summary>A running reference server, its recorder and a client to it.</summary>
    public sealed class Running(GrpcTestHost host, UploadRecorder recorder) : IAsyncDisposable
    {
        public UploadRecorder Recorder { get; } = recorder;

        public UploaderService.UploaderServiceClient Client { get; } = new(host.CreateChannel());

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    public static async Task<Running> StartAsync()
    {
        var recorder = new UploadRecorder();
        var service = new ReferenceUploaderService(recorder);
        var host = await Grade.HostAsync<ReferenceUploaderService>(services => services.AddSingleton(service));
        return new Running(host, recorder);
    }
}
