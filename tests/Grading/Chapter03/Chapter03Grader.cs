using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Grading.Chapter03;

/// <summary>
/// Grades chapter 3. Server exercises host the learner's UploaderService (made by a factory that
/// gets the storage folder) and stream chunks to it with the generated client; client exercises
/// run the learner's code against <see cref="ReferenceUploaderService"/>, which records every chunk.
/// </summary>
public static partial class Chapter03Grader
{
    private const int MiB = 1024 * 1024;
    private static readonly TimeSpan FolderWait = TimeSpan.FromSeconds(5);

    public static async Task UploadImageAsync<TService>(Func<string, TService> createService)
        where TService : UploaderService.UploaderServiceBase
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await Grade.HostAsync(() => createService(folder.Path));
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        // The empty upload goes first: with no writes to race against, an untouched TODO is recognised reliably.
        var cases = new (string Description, int[] Sizes)[]
        {
            ("no chunks at all", []),
            ("5 chunks of 1024 bytes", [1024, 1024, 1024, 1024, 1024]),
            ("chunks of 1, 0, 1000, 70000 and 3 bytes", [1, 0, 1000, 70_000, 3]),
            ("one chunk of 17 bytes", [17]),
        };
        foreach (var (description, sizes) in cases)
        {
            var call = $"UploadImage({description})";
            var chunks = sizes.Select(size => new ImageChunk { Data = ByteString.CopyFrom(RandomBytes(size)) }).ToList();
            var reply = await UploadAsync(Exercises.UploadImage, call, () => client.UploadImage(), chunks, hint: "summary-after-loop");
            var expected = new UploadSummary { TotalChunks = sizes.Length, TotalBytes = sizes.Sum() };
            if (reply.TotalChunks != expected.TotalChunks)
            {
                throw GradingFailure.For(Exercises.UploadImage, "the summary counts the wrong number of chunks.", call,
                    $"total_chunks {expected.TotalChunks}, total_bytes {expected.TotalBytes}", $"total_chunks {reply.TotalChunks}, total_bytes {reply.TotalBytes}",
                    hint: reply.TotalChunks < expected.TotalChunks ? "summary-after-loop" : "read-chunks");
            }
            if (reply.TotalBytes != expected.TotalBytes)
            {
                throw GradingFailure.For(Exercises.UploadImage, "the summary counts the wrong number of bytes.", call,
                    $"total_chunks {expected.TotalChunks}, total_bytes {expected.TotalBytes}", $"total_chunks {reply.TotalChunks}, total_bytes {reply.TotalBytes}", hint: "chunk-size-varies");
            }
        }
    }

    /// <summary>The per-upload quota the graded server gets: room for every good upload below, and exactly one at the limit.</summary>
    public const long UploadQuota = 4 * MiB;

    /// <param name="createService">Makes the learner's service over a storage folder and its per-upload quota in bytes.</param>
    public static async Task UploadFileAsync<TService>(Func<string, long, TService> createService)
        where TService : UploaderService.UploaderServiceBase
    {
        using var parent = Grade.CreateTempFolder();
        var root = Path.Combine(parent.Path, "uploads");
        Directory.CreateDirectory(root);
        var requests = new RequestWatcher();
        await using var host = await Grade.HostAsync(() => createService(root, UploadQuota), requests);
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        // No chunk means no name. First, with no writes to race against, so an untouched TODO is recognised reliably.
        await Grade.ExpectErrorAsync(Exercises.UploadFile, "UploadFile() with no chunks at all", StatusCode.InvalidArgument,
            () => SendAllAsync(client.UploadFile(), Array.Empty<FileChunk>()), hint: "first-chunk-name");
        ExpectFolder(Exercises.UploadFile, "UploadFile() with no chunks at all", root, [], "nothing written", hint: "first-chunk-name");

        // Rejected names: InvalidArgument, and nothing written anywhere under the test's folder.
        var before = Snapshot(parent.Path);
        var badNames = new[] { "", "../escape.txt", Path.Combine(parent.Path, "absolute.txt"), "sub/dir.txt", "back\\slash.txt", "..", new string('x', 256) };
        foreach (var bad in badNames)
        {
            var call = $"UploadFile(first chunk: file_name \"{Shorten(bad)}\", 19 bytes)";
            var chunk = new FileChunk { FileName = bad, Data = ByteString.CopyFromUtf8("must not be written") };
            await Grade.ExpectErrorAsync(Exercises.UploadFile, call, StatusCode.InvalidArgument, () => SendAllAsync(client.UploadFile(), [chunk]), hint: "first-chunk-name");
            var after = Snapshot(parent.Path);
            if (!after.SequenceEqual(before))
            {
                throw GradingFailure.For(Exercises.UploadFile, "a rejected name still wrote a file.", call, "nothing written", $"files now: {Grade.Describe(after)}", hint: "first-chunk-name");
            }
        }

        // Good uploads: the reply describes the file, the file holds exactly the bytes sent, no temporary file remains.
        var stored = new Dictionary<string, byte[]>();
        var uploads = new (string Name, int[] Sizes)[]
        {
            ("photo.jpg", [MiB, MiB, MiB, 12_345]),
            ("empty.txt", [0]),
            ("notes.txt", [7, 0, 8, 5]),
            ("photo.jpg", [MiB, 99]),
            (new string('n', 251) + ".txt", [27]),
            ("at-the-quota.bin", [MiB, MiB, MiB, MiB]),
        };
        foreach (var (name, sizes) in uploads)
        {
            var content = RandomBytes(sizes.Sum());
            var call = $"UploadFile(file_name \"{Shorten(name)}\", {DescribeChunks(sizes)})"
                + (stored.ContainsKey(name) ? " over an earlier upload of the same name" : "");
            var reply = await UploadAsync(Exercises.UploadFile, call, () => client.UploadFile(), Chunks(name, content, sizes), hint: "move-when-done");
            var expected = new FileUploadSummary { FileName = name, Size = content.Length, Sha256 = Sha256Hex(content), TotalChunks = sizes.Length };
            if (reply.FileName != expected.FileName || reply.Size != expected.Size || reply.TotalChunks != expected.TotalChunks)
            {
                throw GradingFailure.For(Exercises.UploadFile, "the reply does not describe the uploaded file.", call,
                    $"file_name \"{Shorten(name)}\", size {expected.Size}, total_chunks {expected.TotalChunks}",
                    $"file_name \"{Shorten(reply.FileName)}\", size {reply.Size}, total_chunks {reply.TotalChunks}", hint: "temp-file-and-hash");
            }
            if (reply.Sha256 != expected.Sha256)
            {
                throw GradingFailure.For(Exercises.UploadFile, "the sha256 is not the lower-case hex SHA-256 of all the bytes sent.", call,
                    $"sha256 \"{expected.Sha256}\"", $"sha256 \"{reply.Sha256}\"", hint: "temp-file-and-hash");
            }
            stored[name] = content;
            var path = Path.Combine(root, name);
            var onDisk = File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
            if (onDisk is null || !onDisk.AsSpan().SequenceEqual(content))
            {
                throw GradingFailure.For(Exercises.UploadFile, "the stored file is not what was sent.", call,
                    $"a file {Shorten(name)} of {content.Length} bytes in the storage folder, with the bytes of every chunk in order",
                    onDisk is null ? "no such file" : $"a file of {onDisk.Length} bytes with other content", hint: "move-when-done");
            }
            ExpectFolder(Exercises.UploadFile, call, root, stored.Keys, "only the uploaded files (no temporary file left behind)", hint: "move-when-done");
        }

        await OverQuotaUploadLeavesNothingAsync(client, requests, root, stored);
        await CancelledUploadLeavesNothingAsync(client, requests, root, stored.Keys);
    }

    /// <summary>
    /// Uploads past the quota: RESOURCE_EXHAUSTED, the earlier file of the same name untouched, no
    /// temporary file left; and the server must stop a client that never ends its stream, which
    /// only a check made as the chunks arrive can do.
    /// </summary>
    private static async Task OverQuotaUploadLeavesNothingAsync(UploaderService.UploaderServiceClient client, RequestWatcher requests, string root, Dictionary<string, byte[]> stored)
    {
        const string Name = "photo.jpg";
        var callText = $"UploadFile(file_name \"{Name}\", 4 chunks of 1 MiB and 1 byte: one byte over the server's quota of {UploadQuota:N0} bytes) over an earlier upload of the same name";
        var sizes = new[] { MiB, MiB, MiB, MiB, 1 };
        var request = requests.Started + 1;
        await Grade.ExpectErrorAsync(Exercises.UploadFile, callText, StatusCode.ResourceExhausted,
            () => SendAllAsync(client.UploadFile(), Chunks(Name, RandomBytes(sizes.Sum()), sizes)), hint: "quota");
        await HandlerFinishedAsync(requests, request, callText);
        ExpectFolder(Exercises.UploadFile, callText, root, stored.Keys, "only the earlier uploads (no temporary file left behind)", hint: "move-when-done");
        if (!(await File.ReadAllBytesAsync(Path.Combine(root, Name))).AsSpan().SequenceEqual(stored[Name]))
        {
            throw GradingFailure.For(Exercises.UploadFile, "an upload over the quota changed the stored file of the same name.", callText,
                "the earlier photo.jpg, unchanged", "other content", hint: "temp-file-and-hash");
        }

        const string EndlessName = "endless.bin";
        const string EndlessCall = $"UploadFile(file_name \"{EndlessName}\", 1 MiB chunks one after another, never completing the stream)";
        request = requests.Started + 1;
        using var call = client.UploadFile();
        var endless = Task.Run(async () =>
        {
            var chunk = new FileChunk { FileName = EndlessName, Data = ByteString.CopyFrom(RandomBytes(MiB)) };
            for (var i = 0; i < 64; i++)
            {
                await call.RequestStream.WriteAsync(chunk);
                chunk = new FileChunk { Data = chunk.Data };
            }
        });
        try
        {
            await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10));
            throw GradingFailure.For(Exercises.UploadFile, "an upload that never ends was answered OK.", EndlessCall, "status ResourceExhausted once the quota is passed", "status OK", hint: "quota");
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(Exercises.UploadFile, "the server kept reading an upload past its quota.", EndlessCall,
                "status ResourceExhausted as soon as the chunks passed the quota", "no answer 10 s later: the quota is only checked after the last chunk, which never comes", hint: "quota");
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.ResourceExhausted)
        {
            throw GradingFailure.For(Exercises.UploadFile, "an upload past the quota failed with the wrong status.", EndlessCall, "status ResourceExhausted", Grade.DescribeStatus(ex), hint: "quota");
        }
        catch (RpcException)
        {
        }
        try
        {
            await endless;
        }
        catch (RpcException)
        {
            // The writes fail once the server has ended the call, as they should.
        }
        await HandlerFinishedAsync(requests, request, EndlessCall);
        ExpectFolder(Exercises.UploadFile, EndlessCall, root, stored.Keys, "only the earlier uploads (no temporary file left behind)", hint: "move-when-done");
    }

    private static async Task HandlerFinishedAsync(RequestWatcher requests, int request, string callText)
    {
        try
        {
            await requests.Finished(request).WaitAsync(FolderWait);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(Exercises.UploadFile, "the handler kept running after the call ended.", callText,
                "the handler ends with the call", $"still running {FolderWait.TotalSeconds:0} s later", hint: "quota");
        }
    }

    /// <summary>Cancels an upload half-way: no file may appear under the final name, and the temporary file must go.</summary>
    private static async Task CancelledUploadLeavesNothingAsync(UploaderService.UploaderServiceClient client, RequestWatcher requests, string root, ICollection<string> storedNames)
    {
        const string Name = "cancelled.bin";
        const string CallText = $"UploadFile(file_name \"{Name}\", 2 chunks of 1 MiB, then the client cancels)";
        using var watcher = new FolderWatcher(root);
        using var cancel = new CancellationTokenSource();
        var request = requests.Started + 1;
        using (var call = client.UploadFile(cancellationToken: cancel.Token))
        {
            try
            {
                foreach (var chunk in Chunks(Name, RandomBytes(2 * MiB), [MiB, MiB]))
                {
                    await call.RequestStream.WriteAsync(chunk).WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is RpcException or TimeoutException)
            {
                throw GradingFailure.For(Exercises.UploadFile, "the server stopped taking chunks in the middle of an upload.", CallText,
                    "both chunks accepted", ex is RpcException rpc ? $"the call ended with {Grade.DescribeStatus(rpc)}" : "the second chunk not taken within 10 s", hint: "temp-file-and-hash");
            }

            // The server is mid-upload: it has something on disk by now, but not under the final name.
            var inProgress = await watcher.WaitUntilAsync(entries => entries.Except(storedNames).Any(), FolderWait);
            var partial = inProgress.Except(storedNames).ToList();
            if (partial.Count == 0)
            {
                throw GradingFailure.For(Exercises.UploadFile, "during an upload nothing appeared in the server's folder.", CallText + " (checked before cancelling)",
                    "a temporary file in the storage folder receiving the chunks", $"no new file after {FolderWait.TotalSeconds:0} s", hint: "temp-file-and-hash");
            }
            if (partial.Contains(Name))
            {
                throw GradingFailure.For(Exercises.UploadFile, "the unfinished upload is visible under its final name.", CallText + " (checked before cancelling)",
                    "the chunks in a temporary file, renamed to the final name only after the last chunk", $"files now: {Grade.Describe(inProgress.Select(Shorten))}", hint: "move-when-done");
            }
            cancel.Cancel();
        }

        // Once the handler has returned, its clean-up is done: the folder must be as before the upload.
        try
        {
            await requests.Finished(request).WaitAsync(FolderWait);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(Exercises.UploadFile, "the handler kept running after the client cancelled.", CallText,
                "the handler ends soon after the cancellation (reading the next chunk throws)", $"still running {FolderWait.TotalSeconds:0} s later", hint: "move-when-done");
        }
        var leftOver = Directory.EnumerateFileSystemEntries(root).Select(p => Path.GetFileName(p)!).Except(storedNames).Order(StringComparer.Ordinal).ToList();
        if (leftOver.Count > 0)
        {
            var problem = leftOver.Contains(Name)
                ? "a cancelled upload left a partial file under its final name."
                : "a cancelled upload left its temporary file behind.";
            throw GradingFailure.For(Exercises.UploadFile, problem, CallText, "no trace of the cancelled upload once the handler has returned", $"the folder still has {Grade.Describe(leftOver.Select(Shorten))}", hint: "move-when-done");
        }
    }

    public static async Task UploadRandomChunksAsync(Func<UploaderService.UploaderServiceClient, int, int, Task<UploadSummary>> learnerUpload)
    {
        await using var reference = await ReferenceUploaderService.StartAsync();
        foreach (var (count, chunkSize) in new[] { (7, 1500), (3, 64) })
        {
            var callText = $"UploadRandomChunksAsync(client, count: {count}, chunkSize: {chunkSize})";
            reference.Recorder.ExpectedChunks = count;
            var uploadsBefore = reference.Recorder.Uploads.Count;
            var result = await Grade.RunClientAsync(Exercises.UploadRandomChunksAsync, callText, () => learnerUpload(reference.Client, count, chunkSize));
            var upload = await SingleUploadAsync(Exercises.UploadRandomChunksAsync, callText, reference.Recorder, uploadsBefore, "UploadImage", hint: "random-chunks");

            if (upload.Deadline == DateTime.MaxValue)
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the call was made without a deadline.", callText, "a deadline 10 s after the call starts", "no deadline", hint: "upload-deadline");
            }
            var allowed = upload.Deadline - upload.ReceivedAt;
            if (allowed < TimeSpan.FromSeconds(8) || allowed > TimeSpan.FromSeconds(11))
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the deadline is not 10 seconds.", callText, "a deadline about 10 s after the call starts",
                    $"a deadline {allowed.TotalSeconds:0.0} s after the call started", hint: "upload-deadline");
            }
            var sizes = upload.Chunks.Select(c => c.Size).ToList();
            if (sizes.Count != count || sizes.Any(s => s != chunkSize))
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the server did not receive the chunks asked for.", callText,
                    $"{count} chunks of {chunkSize} bytes", DescribeChunks(sizes), hint: "random-chunks");
            }
            if (upload.Chunks.All(c => c.AllZero))
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the chunks hold no random data.", callText, "random bytes", "every byte 0", hint: "random-chunks");
            }
            if (!upload.StreamCompleted)
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the request stream was never completed, so the server could not know the upload was over.", callText,
                    "CompleteAsync() after the last chunk", $"no end of stream {ReferenceUploaderService.EndOfStreamWait.TotalSeconds:0} s after the last chunk", hint: "complete-stream");
            }
            if (!Equals(result, upload.Reply))
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the method should return the server's summary.", callText, Grade.Describe(upload.Reply), Grade.Describe(result), hint: "complete-stream");
            }
        }
        await Chapter03ClientChecks.UploadRandomChunksFailsAsync(learnerUpload, reference);
    }

    public static async Task UploadFileClientAsync(Func<UploaderService.UploaderServiceClient, string, IProgress<long>?, CancellationToken, Task<FileUploadSummary>> learnerUpload)
    {
        using var folder = Grade.CreateTempFolder();
        await using var reference = await ReferenceUploaderService.StartAsync();
        // Exactly 1 MiB ends at a chunk boundary: one chunk, not one and an empty one.
        foreach (var (name, size) in new[] { ("holiday photo.png", 2 * MiB + 12_345), ("exactly one MiB.bin", MiB), ("tiny.txt", 10), ("empty.txt", 0) })
        {
            var path = Path.Combine(folder.Path, name);
            var content = RandomBytes(size);
            await File.WriteAllBytesAsync(path, content);
            var expectedSizes = Enumerable.Range(0, Math.Max(1, (size + MiB - 1) / MiB)).Select(i => Math.Min(MiB, size - i * MiB)).ToList();
            var callText = $"UploadFileAsync(client, \"{path}\" ({size:N0} bytes), progress)";

            reference.Recorder.ExpectedChunks = expectedSizes.Count;
            var uploadsBefore = reference.Recorder.Uploads.Count;
            var progress = new RecordingProgress();
            var result = await Grade.RunClientAsync(Exercises.UploadFileAsync, callText, () => learnerUpload(reference.Client, path, progress, CancellationToken.None));
            var upload = await SingleUploadAsync(Exercises.UploadFileAsync, callText, reference.Recorder, uploadsBefore, "UploadFile", hint: "mib-chunks");

            var sizes = upload.Chunks.Select(c => c.Size).ToList();
            if (!sizes.SequenceEqual(expectedSizes))
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the file was not cut into 1 MiB chunks.", callText,
                    $"{DescribeChunks(expectedSizes)} (1 MiB = 1,048,576 bytes each, the last one smaller; an empty file is one empty chunk)", DescribeChunks(sizes),
                    hint: sizes.Count == 0 ? "name-on-first-chunk" : "mib-chunks");
            }
            if (upload.Sha256 != Sha256Hex(content))
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the chunks do not carry the file's bytes in order.", callText,
                    "the file's content, chunk after chunk", "other bytes", hint: "mib-chunks");
            }
            var names = upload.Chunks.Select(c => c.FileName).ToList();
            var expectedNames = names.Select((_, i) => i == 0 ? name : "").ToList();
            if (!names.SequenceEqual(expectedNames))
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the file name should be on the first chunk, and only there.", callText,
                    $"file_name per chunk {Grade.Describe(expectedNames)}", $"file_name per chunk {Grade.Describe(names)}", hint: "name-on-first-chunk");
            }
            if (!upload.StreamCompleted)
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the request stream was never completed, so the server could not know the upload was over.", callText,
                    "CompleteAsync() after the last chunk", $"no end of stream {ReferenceUploaderService.EndOfStreamWait.TotalSeconds:0} s after the last chunk", hint: "progress-and-complete");
            }
            var reports = progress.Reports;
            var monotonic = reports.Zip(reports.Skip(1)).All(pair => pair.First <= pair.Second);
            if (reports.Count < expectedSizes.Count || !monotonic || reports[^1] != size)
            {
                var expectedReports = expectedSizes.Select((_, i) => expectedSizes.Take(i + 1).Sum(s => (long)s)).ToList();
                throw GradingFailure.For(Exercises.UploadFileAsync, "progress was not reported after each chunk, ending at the file's size.", callText,
                    $"progress reports {Grade.Describe(expectedReports)}", reports.Count == 0 ? "no progress reports" : $"progress reports {Grade.Describe(reports)}", hint: "progress-and-complete");
            }
            if (!Equals(result, upload.Reply))
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the method should return the server's summary.", callText, Grade.Describe(upload.Reply), Grade.Describe(result), hint: "progress-and-complete");
            }
        }
        await Chapter03ClientChecks.UploadFileCancelsAsync(learnerUpload, reference, folder.Path);
        await Chapter03ClientChecks.UploadFileFailsAsync(learnerUpload, reference, folder.Path);
    }

    /// <summary>Streams the chunks, completes the stream and returns the reply; an error status goes to the caller as RpcException.</summary>
    private static async Task<TResponse> SendAllAsync<TRequest, TResponse>(AsyncClientStreamingCall<TRequest, TResponse> call, IEnumerable<TRequest> messages)
    {
        using (call)
        {
            foreach (var message in messages)
            {
                try
                {
                    await call.RequestStream.WriteAsync(message);
                }
                catch (Exception ex) when (ex is RpcException or InvalidOperationException)
                {
                    // The server has already ended the call; its answer comes with the response.
                    break;
                }
            }
            try
            {
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
            }
            return await call.ResponseAsync;
        }
    }

    /// <summary>An upload expected to succeed; a failed call becomes a GradingFailure.</summary>
    private static async Task<TResponse> UploadAsync<TRequest, TResponse>(Exercise exercise, string callText, Func<AsyncClientStreamingCall<TRequest, TResponse>> start, IEnumerable<TRequest> messages, string hint)
    {
        try
        {
            return await Grade.CallServerAsync(exercise, () => SendAllAsync(start(), messages));
        }
        catch (RpcException ex)
        {
            // A file moved while still open fails only on Windows: say why, wherever it shows.
            var stillOpen = exercise == Exercises.UploadFile && ex.Status.Detail.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);
            throw GradingFailure.For(exercise, stillOpen ? "the upload failed: the temporary file was still open when it was moved." : "the upload failed.",
                callText, "a summary", Grade.DescribeStatus(ex), hint: stillOpen ? "rename-closed-file" : hint);
        }
    }

    /// <summary>The one call the learner's client made, once the reference server has finished with it.</summary>
    private static async Task<ReceivedUpload> SingleUploadAsync(Exercise exercise, string callText, UploadRecorder recorder, int before, string method, string hint)
    {
        var uploads = recorder.Uploads.Skip(before).ToList();
        if (uploads.Count != 1 || uploads[0].Method != method)
        {
            throw GradingFailure.For(exercise, $"the server did not receive one {method} call.", callText,
                $"one {method} call", uploads.Count == 0 ? "no call" : Grade.Describe(uploads.Select(u => u.Method)), hint);
        }
        try
        {
            await uploads[0].Finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(exercise, $"the {method} call was still open after the method returned.", callText,
                "the call finished when the method returns", "the server still reading chunks 10 s later", hint);
        }
        return uploads[0];
    }

    private static IEnumerable<FileChunk> Chunks(string name, byte[] content, int[] sizes)
    {
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            yield return new FileChunk { FileName = i == 0 ? name : "", Data = ByteString.CopyFrom(content, offset, sizes[i]) };
            offset += sizes[i];
        }
    }

    private static void ExpectFolder(Exercise exercise, string callText, string root, IEnumerable<string> names, string expected, string hint)
    {
        var actual = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (!actual.SequenceEqual(names.Order(StringComparer.Ordinal)))
        {
            throw GradingFailure.For(exercise, "the storage folder does not hold what it should.", callText, expected,
                $"files in the folder: {Grade.Describe(actual.Select(n => Shorten(n!)))}", hint);
        }
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static string DescribeChunks(IReadOnlyCollection<int> sizes) => sizes.Count switch
    {
        0 => "no chunks",
        1 => $"1 chunk of {sizes.Single().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(sizes.Single() == 1 ? "byte" : "bytes")}",
        _ => $"{sizes.Count} chunks of {string.Join(", ", sizes.Select(s => s.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} bytes",
    };

    private static string Shorten(string name) => name.Length <= 40 ? name : $"{name[..12]}...({name.Length} chars)";

    private static List<string> Snapshot(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Shorten(Path.GetRelativePath(folder, p))).Order(StringComparer.Ordinal).ToList();

    /// <summary>Progress reports in the order they were made (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class RecordingProgress : IProgress<long>
    {
        private readonly List<long> reports = new();

        public IReadOnlyList<long> Reports
        {
            get
            {
                lock (reports)
                {
                    return reports.ToList();
                }
            }
        }

        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    /// <summary>
    /// Waits for a folder to reach a state: checks on every change the FileSystemWatcher reports,
    /// and every 50 ms in case it misses one, until the condition holds or the time is up.
    /// </summary>
    private sealed class FolderWatcher : IDisposable
    {
        private readonly string root;
        private readonly FileSystemWatcher watcher;
        private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FolderWatcher(string root)
        {
            this.root = root;
            watcher = new FileSystemWatcher(root);
            watcher.Created += (_, _) => Signal();
            watcher.Deleted += (_, _) => Signal();
            watcher.Renamed += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
        }

        /// <summary>The folder's entries once <paramref name="condition"/> holds, or when the time is up.</summary>
        public async Task<IReadOnlyList<string>> WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout)
        {
            var giveUp = DateTime.UtcNow + timeout;
            while (true)
            {
                var waitForChange = Volatile.Read(ref changed).Task;
                var entries = Directory.EnumerateFileSystemEntries(root).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToList();
                if (condition(entries) || DateTime.UtcNow >= giveUp)
                {
                    return entries;
                }
                try
                {
                    await waitForChange.WaitAsync(TimeSpan.FromMilliseconds(50));
                }
                catch (TimeoutException)
                {
                }
            }
        }

        public void Dispose() => watcher.Dispose();

        private void Signal() => Interlocked.Exchange(ref changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
