using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter03;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.GraderProofs;

[TestFixture]
[Category("GraderProofs")]
public class Chapter03Proofs
{
    private static UploaderServiceImpl Solution(string root) => new(new UploadStorage(root));

    private static UploaderServiceImpl Solution(string root, long maxFileBytes) => new(new UploadStorage(root, maxFileBytes));

    /// <summary>The solution, wired as the grader project wires the learner's code.</summary>
    private static IEnumerable<TestCaseData> SolutionChecks() => Proof.SolutionCases(Chapter03Grader.Checks(new Chapter03Code<UploaderServiceImpl>(
        CreateService: Solution,
        CreateServiceWithQuota: Solution,
        UploadRandomChunksAsync: UploaderClient.UploadRandomChunksAsync,
        UploadFileAsync: UploaderClient.UploadFileAsync)));

    [TestCaseSource(nameof(SolutionChecks))]
    public Task The_solution_passes_every_check(Check check) => check.Run();

    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        new(Exercises.UploadImage, "forgets the last chunk", () => Chapter03Grader.UploadImageAsync(root => new ForgetsLastImageChunk(new UploadStorage(root)))),
        new(Exercises.UploadImage, "counts 1024 bytes per chunk whatever its size", () => Chapter03Grader.UploadImageAsync(root => new Counts1024PerChunk(new UploadStorage(root)))),
        new(Exercises.UploadImage, "answers after the first chunk, before reading the rest", () => Chapter03Grader.UploadImageAsync(root => new AnswersAfterFirstChunk(new UploadStorage(root)))),
        new(Exercises.UploadFile, "writes straight to the final file", () => Chapter03Grader.UploadFileAsync((root, quota) => new WritesToFinalFile(new UploadStorage(root, quota))), Hint: "temp-file-and-hash"),
        new(Exercises.UploadFile, "hashes only the last chunk", () => Chapter03Grader.UploadFileAsync((root, quota) => new HashesLastChunkOnly(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "sends no hash", () => Chapter03Grader.UploadFileAsync((root, quota) => new SendsNoHash(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "sends the hash in upper-case hex", () => Chapter03Grader.UploadFileAsync((root, quota) => new UpperCaseHash(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "does not check the name", () => Chapter03Grader.UploadFileAsync((root, quota) => new NoNameCheck(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "leaves the temporary file behind when cancelled", () => Chapter03Grader.UploadFileAsync((root, quota) => new LeavesTempFileOnCancel(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "copies the temporary file instead of moving it", () => Chapter03Grader.UploadFileAsync((root, quota) => new CopiesInsteadOfMoving(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "keeps the whole upload in memory and writes it at the end", () => Chapter03Grader.UploadFileAsync((root, quota) => new BuffersInMemory(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "moves without overwrite, so a second upload of a name fails", () => Chapter03Grader.UploadFileAsync((root, quota) => new MovesWithoutOverwrite(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "ignores the quota", () => Chapter03Grader.UploadFileAsync((root, quota) => new IgnoresQuota(new UploadStorage(root, quota)))),
        new(Exercises.UploadFile, "checks the quota only after the last chunk", () => Chapter03Grader.UploadFileAsync((root, quota) => new ChecksQuotaAtTheEnd(new UploadStorage(root, quota)))),
        new(Exercises.UploadRandomChunksAsync, "sets no deadline", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count, size, deadlineSeconds: null))),
        new(Exercises.UploadRandomChunksAsync, "uses a 60 second deadline", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count, size, deadlineSeconds: 60))),
        new(Exercises.UploadRandomChunksAsync, "forgets CompleteAsync", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count, size, complete: false))),
        new(Exercises.UploadRandomChunksAsync, "sends count - 1 chunks", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count - 1, size))),
        new(Exercises.UploadRandomChunksAsync, "sends zeros instead of random bytes", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count, size, random: false))),
        new(Exercises.UploadRandomChunksAsync, "starts every write at once and awaits them together", () => Chapter03Grader.UploadRandomChunksAsync((client, count, size) => UploadRandom(client, count, size, overlap: true)), Hint: "await-each-write"),
        new(Exercises.UploadFileAsync, "cuts 1 MB = 1,000,000-byte chunks", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, chunkSize: 1_000_000))),
        new(Exercises.UploadFileAsync, "puts the name on every chunk", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, nameOnEveryChunk: true))),
        new(Exercises.UploadFileAsync, "sends no name", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, sendName: false))),
        new(Exercises.UploadFileAsync, "reports no progress", () => Chapter03Grader.UploadFileClientAsync((client, path, _, _) => UploadFile(client, path, null))),
        new(Exercises.UploadFileAsync, "reports progress before each chunk, so the final value is missing", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, reportBefore: true))),
        new(Exercises.UploadFileAsync, "sends the whole buffer as the last chunk", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, wholeBuffer: true))),
        new(Exercises.UploadFileAsync, "sends nothing for an empty file", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, chunkForEmptyFile: false)), Hint: "name-on-first-chunk"),
        new(Exercises.UploadFileAsync, "forgets CompleteAsync", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) => UploadFile(client, path, progress, complete: false))),
    }.Select(m => m.ToTestCase());

    // Client mutants: the solution's client with one thing made wrong.

    private static async Task<UploadSummary> UploadRandom(UploaderService.UploaderServiceClient client, int count, int chunkSize,
        double? deadlineSeconds = 10, bool complete = true, bool random = true, bool overlap = false)
    {
        using var call = client.UploadImage(deadline: deadlineSeconds is { } seconds ? DateTime.UtcNow.AddSeconds(seconds) : null);
        var writes = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var data = new byte[chunkSize];
            if (random)
            {
                Random.Shared.NextBytes(data);
            }
            var write = call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(data) });
            writes.Add(write);
            if (!overlap)
            {
                await write;
            }
        }
        await Task.WhenAll(writes);
        if (complete)
        {
            await call.RequestStream.CompleteAsync();
        }
        return await call.ResponseAsync;
    }

    private static async Task<FileUploadSummary> UploadFile(UploaderService.UploaderServiceClient client, string path, IProgress<long>? progress,
        int chunkSize = UploaderClient.FileChunkSize, bool nameOnEveryChunk = false, bool sendName = true, bool reportBefore = false,
        bool wholeBuffer = false, bool chunkForEmptyFile = true, bool complete = true)
    {
        var content = await File.ReadAllBytesAsync(path);
        using var call = client.UploadFile();
        long sent = 0;
        var chunks = 0;
        for (var offset = 0; offset < content.Length || (chunks == 0 && chunkForEmptyFile); offset += chunkSize)
        {
            var length = Math.Min(chunkSize, content.Length - offset);
            var data = wholeBuffer ? new byte[chunkSize] : new byte[length];
            Array.Copy(content, offset, data, 0, length);
            var chunk = new FileChunk { Data = ByteString.CopyFrom(data) };
            if (sendName && (chunks == 0 || nameOnEveryChunk))
            {
                chunk.FileName = Path.GetFileName(path);
            }
            if (reportBefore)
            {
                progress?.Report(sent);
            }
            await call.RequestStream.WriteAsync(chunk);
            chunks++;
            sent += length;
            if (!reportBefore)
            {
                progress?.Report(sent);
            }
        }
        if (complete)
        {
            await call.RequestStream.CompleteAsync();
        }
        return await call.ResponseAsync;
    }

    // Server mutants: the solution with one method made wrong in a way learners get it wrong.

    private sealed class ForgetsLastImageChunk(UploadStorage storage) : UploaderServiceImpl(storage)
    {
        public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
        {
            // Counts each chunk when the next one arrives: the last is never counted.
            var summary = new UploadSummary();
            ImageChunk? previous = null;
            await foreach (var chunk in requestStream.ReadAllAsync())
            {
                if (previous is not null)
                {
                    summary.TotalChunks++;
                    summary.TotalBytes += previous.Data.Length;
                }
                previous = chunk;
            }
            return summary;
        }
    }

    private sealed class Counts1024PerChunk(UploadStorage storage) : UploaderServiceImpl(storage)
    {
        public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
        {
            var summary = new UploadSummary();
            await foreach (var _ in requestStream.ReadAllAsync())
            {
                summary.TotalChunks++;
                summary.TotalBytes += 1024;
            }
            return summary;
        }
    }

    private sealed class AnswersAfterFirstChunk(UploadStorage storage) : UploaderServiceImpl(storage)
    {
        public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
        {
            var summary = new UploadSummary();
            await foreach (var chunk in requestStream.ReadAllAsync())
            {
                summary.TotalChunks++;
                summary.TotalBytes += chunk.Data.Length;
                return summary;
            }
            return summary;
        }
    }

    /// <summary>A configurable UploadFile: the solution's steps, each of which a mutant can get wrong.</summary>
    private abstract class FileMutant(UploadStorage storage) : UploaderServiceImpl(storage)
    {
        private readonly UploadStorage storage = storage;

        protected virtual bool CheckName => true;

        protected virtual bool WriteToFinalFile => false;

        protected virtual bool DeleteOnFailure => true;

        protected virtual QuotaCheck Quota => QuotaCheck.AsChunksArrive;

        public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
        {
            var token = context.CancellationToken;
            if (!await requestStream.MoveNext(token))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "The upload is empty."));
            }
            var fileName = requestStream.Current.FileName;
            var problem = FileNameRules.Check(fileName);
            if (problem is not null && CheckName)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
            }
            var finalPath = Path.Combine(storage.Root, fileName);
            var tempPath = WriteToFinalFile ? finalPath : Path.Combine(storage.Root, $".{Guid.NewGuid():N}.uploading");
            var done = false;
            try
            {
                var digest = new List<byte>();
                long size = 0;
                var chunks = 0;
                using (var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                await using (var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
                {
                    do
                    {
                        var data = requestStream.Current.Data;
                        size += data.Length;
                        if (Quota == QuotaCheck.AsChunksArrive)
                        {
                            ThrowIfOverQuota(size);
                        }
                        await file.WriteAsync(data.Memory, token);
                        Hash(sha256, data);
                        chunks++;
                    }
                    while (await requestStream.MoveNext(token));
                    digest.AddRange(sha256.GetHashAndReset());
                }
                if (Quota == QuotaCheck.AfterTheLastChunk)
                {
                    ThrowIfOverQuota(size);
                }
                if (!WriteToFinalFile)
                {
                    Store(tempPath, finalPath);
                }
                done = true;
                return new FileUploadSummary { FileName = fileName, Size = size, Sha256 = FormatHash(digest.ToArray()), TotalChunks = chunks };
            }
            finally
            {
                if (!done && DeleteOnFailure && !WriteToFinalFile)
                {
                    File.Delete(tempPath);
                }
            }
        }

        protected virtual void Hash(IncrementalHash sha256, ByteString data) => sha256.AppendData(data.Span);

        private void ThrowIfOverQuota(long size)
        {
            if (storage.CheckSize(size) is { } tooLarge)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, tooLarge));
            }
        }

        protected virtual string FormatHash(byte[] digest) => Convert.ToHexStringLower(digest);

        protected virtual void Store(string tempPath, string finalPath) => File.Move(tempPath, finalPath, overwrite: true);
    }

    private sealed class BuffersInMemory(UploadStorage storage) : UploaderServiceImpl(storage)
    {
        private readonly UploadStorage storage = storage;

        public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
        {
            // Correct answers, but megabytes held in memory and nothing on disk until the end.
            var content = new MemoryStream();
            string? fileName = null;
            var chunks = 0;
            await foreach (var chunk in requestStream.ReadAllAsync())
            {
                fileName ??= chunk.FileName;
                chunk.Data.WriteTo(content);
                chunks++;
                if (storage.CheckSize(content.Length) is { } tooLarge)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, tooLarge));
                }
            }
            var problem = FileNameRules.Check(fileName ?? "");
            if (problem is not null)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
            }
            await File.WriteAllBytesAsync(Path.Combine(storage.Root, fileName!), content.ToArray());
            return new FileUploadSummary { FileName = fileName, Size = content.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(content.ToArray())), TotalChunks = chunks };
        }
    }

    private sealed class WritesToFinalFile(UploadStorage storage) : FileMutant(storage)
    {
        protected override bool WriteToFinalFile => true;
    }

    private sealed class HashesLastChunkOnly(UploadStorage storage) : FileMutant(storage)
    {
        protected override void Hash(IncrementalHash sha256, ByteString data)
        {
            // Starts over on every chunk, so only the last one counts.
            sha256.GetHashAndReset();
            sha256.AppendData(data.Span);
        }
    }

    private sealed class SendsNoHash(UploadStorage storage) : FileMutant(storage)
    {
        protected override string FormatHash(byte[] digest) => "";
    }

    private sealed class UpperCaseHash(UploadStorage storage) : FileMutant(storage)
    {
        protected override string FormatHash(byte[] digest) => Convert.ToHexString(digest);
    }

    private sealed class NoNameCheck(UploadStorage storage) : FileMutant(storage)
    {
        protected override bool CheckName => false;
    }

    private sealed class LeavesTempFileOnCancel(UploadStorage storage) : FileMutant(storage)
    {
        protected override bool DeleteOnFailure => false;
    }

    private sealed class CopiesInsteadOfMoving(UploadStorage storage) : FileMutant(storage)
    {
        protected override void Store(string tempPath, string finalPath) => File.Copy(tempPath, finalPath, overwrite: true);
    }

    private sealed class MovesWithoutOverwrite(UploadStorage storage) : FileMutant(storage)
    {
        protected override void Store(string tempPath, string finalPath) => File.Move(tempPath, finalPath);
    }

    private sealed class IgnoresQuota(UploadStorage storage) : FileMutant(storage)
    {
        protected override QuotaCheck Quota => QuotaCheck.Never;
    }

    private sealed class ChecksQuotaAtTheEnd(UploadStorage storage) : FileMutant(storage)
    {
        // Right for an upload that ends; a client that never ends its stream is never stopped.
        protected override QuotaCheck Quota => QuotaCheck.AfterTheLastChunk;
    }

    private enum QuotaCheck
    {
        AsChunksArrive,
        AfterTheLastChunk,
        Never,
    }
}
