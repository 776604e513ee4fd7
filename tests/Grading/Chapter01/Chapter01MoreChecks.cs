using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Grading.Chapter01;

/// <summary>Chapter 1 checks for files in states the first checks never make, and for servers that fail.</summary>
public static partial class Chapter01Grader
{
    /// <summary>A folder inside the storage folder, which ListFiles must leave out.</summary>
    private const string SubfolderName = "b-folder";

    /// <summary>Writing a name that exists replaces the file: nothing of the old, longer content is left at its end.</summary>
    private static async Task OverwritesAsync(FileService.FileServiceClient client, string root)
    {
        const string call = "WriteFile(file_name: \"again.txt\", content: \"a long first version\"), then WriteFile(file_name: \"again.txt\", content: \"short\")";
        foreach (var text in new[] { "a long first version", "short" })
        {
            await Grade.CallServerAsync(Exercises.WriteFile, async () => await client.WriteFileAsync(new WriteFileRequest { FileName = "again.txt", Content = ByteString.CopyFromUtf8(text) }));
        }
        var stored = await File.ReadAllTextAsync(Path.Combine(root, "again.txt"));
        if (stored != "short")
        {
            throw GradingFailure.For(Exercises.WriteFile, "writing a file that exists should replace it, not write over its start and leave the rest.", call,
                "again.txt holds \"short\"", $"again.txt holds \"{stored}\"", hint: "write-bytes");
        }
    }

    /// <summary>A client gets the server's error as an RpcException, not an empty or made-up result.</summary>
    private static async Task ServerErrorReachesCallerAsync(Exercise exercise, string callText, ReferenceFileService.Running reference, StatusCode code, Func<Task<object>> learnerCall, string hint)
    {
        var text = $"{callText} against a server that answers {code} \"failing on purpose\"";
        reference.Recorder.FailWith = new Status(code, "failing on purpose");
        object? result = null;
        Exception? thrown = null;
        try
        {
            result = await learnerCall().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(exercise);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        finally
        {
            reference.Recorder.FailWith = null;
        }
        if (thrown is not RpcException rpc || rpc.StatusCode != code)
        {
            throw GradingFailure.For(exercise, "the server's error should reach the caller: don't catch it and return something else.", text,
                $"RpcException with status {code}",
                thrown is null ? $"the method returned {Grade.Describe(result)}" : thrown is RpcException other ? $"RpcException with status {other.StatusCode}" : $"{thrown.GetType().Name}: {thrown.Message}", hint);
        }
    }
}
