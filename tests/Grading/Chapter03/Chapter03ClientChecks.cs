using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Grading.Chapter03;

/// <summary>
/// The chapter 3 client checks for what goes wrong: a server that fails (its error must reach
/// the caller, not an empty summary) and a long upload that is cancelled half way (it must stop).
/// </summary>
internal static class Chapter03ClientChecks
{
    private const int MiB = 1024 * 1024;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task UploadRandomChunksFailsAsync(Func<UploaderService.UploaderServiceClient, int, int, Task<UploadSummary>> learnerUpload, ReferenceUploaderService.Running reference)
    {
        const string callText = "UploadRandomChunksAsync(client, count: 2, chunkSize: 100) against a server that answers UNAVAILABLE \"disk on fire\"";
        reference.Recorder.ExpectedChunks = 2;
        reference.Recorder.FailWith = new Status(StatusCode.Unavailable, "disk on fire");
        try
        {
            var thrown = await ThrownByAsync(() => learnerUpload(reference.Client, 2, 100), Exercises.UploadRandomChunksAsync, callText);
            if (thrown is not RpcException { StatusCode: StatusCode.Unavailable })
            {
                throw GradingFailure.For(Exercises.UploadRandomChunksAsync, "the server's error should reach the caller: don't catch it and return something else.", callText,
                    "RpcException with status Unavailable", Outcome(thrown), hint: "upload-errors");
            }
        }
        finally
        {
            reference.Recorder.FailWith = null;
        }
    }

    public static async Task UploadFileFailsAsync(Func<UploaderService.UploaderServiceClient, string, IProgress<long>?, CancellationToken, Task<FileUploadSummary>> learnerUpload,
        ReferenceUploaderService.Running reference, string folder)
    {
        var path = Path.Combine(folder, "refused.bin");
        await File.WriteAllBytesAsync(path, new byte[10]);
        var callText = $"UploadFileAsync(client, \"{path}\" (10 bytes), progress) against a server that answers RESOURCE_EXHAUSTED \"quota reached\"";
        reference.Recorder.ExpectedChunks = 1;
        reference.Recorder.FailWith = new Status(StatusCode.ResourceExhausted, "quota reached");
        try
        {
            var thrown = await ThrownByAsync(() => learnerUpload(reference.Client, path, null, CancellationToken.None), Exercises.UploadFileAsync, callText);
            if (thrown is not RpcException { StatusCode: StatusCode.ResourceExhausted })
            {
                throw GradingFailure.For(Exercises.UploadFileAsync, "the server's error should reach the caller: don't catch it and return something else.", callText,
                    "RpcException with status ResourceExhausted", Outcome(thrown), hint: "upload-file-errors");
            }
        }
        finally
        {
            reference.Recorder.FailWith = null;
        }
    }

    /// <summary>An 8 MiB upload whose token is cancelled once the first chunk is reported sent: the method must stop, not finish.</summary>
    public static async Task UploadFileCancelsAsync(Func<UploaderService.UploaderServiceClient, string, IProgress<long>?, CancellationToken, Task<FileUploadSummary>> learnerUpload,
        ReferenceUploaderService.Running reference, string folder)
    {
        const int size = 8 * MiB;
        var path = Path.Combine(folder, "long upload.bin");
        await File.WriteAllBytesAsync(path, new byte[size]);
        var callText = $"UploadFileAsync(client, \"{path}\" (8 MiB), progress, token), the token cancelled after the first chunk is reported";
        reference.Recorder.ExpectedChunks = size / MiB;
        var uploadsBefore = reference.Recorder.Uploads.Count;
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstReport(cancel);
        var thrown = await ThrownByAsync(() => learnerUpload(reference.Client, path, progress, cancel.Token), Exercises.UploadFileAsync, callText);
        if (!progress.Reported)
        {
            throw GradingFailure.For(Exercises.UploadFileAsync, "no progress was reported, so the upload could not be cancelled after its first chunk.", callText,
                "progress?.Report after each chunk", "no report", hint: "progress-and-complete");
        }
        var uploads = reference.Recorder.Uploads.Skip(uploadsBefore).ToList();
        var chunks = uploads.Sum(u => u.Chunks.Count);
        var stopped = thrown is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled };
        if (!stopped || chunks >= size / MiB)
        {
            throw GradingFailure.For(Exercises.UploadFileAsync, "cancelling the token should stop the upload at once: pass it to the call (client.UploadFile(cancellationToken: ...)).", callText,
                "the upload stops: RpcException with status Cancelled (or OperationCanceledException), fewer than 8 chunks sent",
                $"{Outcome(thrown)}; the server received {chunks} of 8 chunks", hint: "upload-cancel");
        }
    }

    /// <summary>What the learner's code threw, or null if it returned; a grader failure if it hangs.</summary>
    private static async Task<Exception?> ThrownByAsync<T>(Func<Task<T>> learnerCode, Exercise exercise, string callText)
    {
        try
        {
            await learnerCode().WaitAsync(Patience);
            return null;
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(exercise);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(exercise, $"the code did not finish within {Patience.TotalSeconds:0} s.", callText, "the call ends (with a result or an error)", "still running",
                hint: exercise == Exercises.UploadRandomChunksAsync ? "complete-stream" : "progress-and-complete");
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static string Outcome(Exception? thrown) => thrown switch
    {
        null => "the method returned normally",
        RpcException rpc => $"RpcException with status {rpc.StatusCode} \"{rpc.Status.Detail}\"",
        _ => $"{thrown.GetType().Name}: {thrown.Message}",
    };

    private sealed class CancelOnFirstReport(CancellationTokenSource cancel) : IProgress<long>
    {
        public bool Reported { get; private set; }

        public void Report(long value)
        {
            Reported = true;
            cancel.Cancel();
        }
    }
}
