using System.Text;
using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Grading.Chapter01;

/// <summary>
/// Grades chapter 1. Server exercises host the learner's FileService (made by a factory that
/// gets the storage folder) and call it with the generated client; client exercises run the
/// learner's code against <see cref="ReferenceFileService"/>, which records what it received.
/// </summary>
public static partial class Chapter01Grader
{
    public static async Task SayHelloAsync<TService>(Func<string, TService> createService)
        where TService : FileService.FileServiceBase
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await Grade.HostAsync(() => createService(folder.Path));
        var client = new FileService.FileServiceClient(host.CreateChannel());

        foreach (var name in new[] { "Ada", "Grace Hopper" })
        {
            var reply = await Grade.CallServerAsync(Exercises.SayHello, async () => await client.SayHelloAsync(new HelloRequest { Name = name }));
            var expected = $"Hello, {name}!";
            if (reply.Message != expected)
            {
                throw GradingFailure.For(Exercises.SayHello, "the greeting is not right.", $"SayHello(name: \"{name}\")", $"message \"{expected}\"", $"message \"{reply.Message}\"", hint: "greeting-text");
            }
        }
        foreach (var blank in new[] { "", "   " })
        {
            await Grade.ExpectErrorAsync(Exercises.SayHello, $"SayHello(name: \"{blank}\")", StatusCode.InvalidArgument,
                async () => await client.SayHelloAsync(new HelloRequest { Name = blank }), hint: "blank-name");
        }
    }

    public static async Task GetServerTimeAsync<TService>(Func<string, TService> createService)
        where TService : FileService.FileServiceBase
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await Grade.HostAsync(() => createService(folder.Path));
        var client = new FileService.FileServiceClient(host.CreateChannel());

        var before = DateTime.UtcNow;
        var reply = await Grade.CallServerAsync(Exercises.GetServerTime, async () => await client.GetServerTimeAsync(new ServerTimeRequest()));
        var after = DateTime.UtcNow;
        if (reply.Time is null)
        {
            throw GradingFailure.For(Exercises.GetServerTime, "the reply has no time.", "GetServerTime()", $"a time between {before:O} and {after:O}", "no time set", hint: "timestamp");
        }
        // A generous margin: the check is "this is the server's clock now", not a timing test.
        var time = reply.Time.ToDateTime();
        if (time < before.AddSeconds(-5) || time > after.AddSeconds(5))
        {
            throw GradingFailure.For(Exercises.GetServerTime, "the time is not the server's current UTC time.", "GetServerTime()", $"a time between {before:O} and {after:O}", time.ToString("O"), hint: "utc-kind");
        }
    }

    public static async Task WriteFileAsync<TService>(Func<string, TService> createService)
        where TService : FileService.FileServiceBase
    {
        using var parent = Grade.CreateTempFolder();
        var root = Path.Combine(parent.Path, "files");
        Directory.CreateDirectory(root);
        await using var host = await Grade.HostAsync(() => createService(root));
        var client = new FileService.FileServiceClient(host.CreateChannel());

        var cases = new (string Name, byte[] Content)[]
        {
            ("notes.txt", Encoding.UTF8.GetBytes("hello, files")),
            ("empty.bin", []),
            ("bytes.bin", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()),
            (new string('n', 251) + ".txt", Encoding.UTF8.GetBytes("a name of exactly 255 bytes")),
        };
        foreach (var (name, content) in cases)
        {
            var call = $"WriteFile(file_name: \"{Shorten(name)}\", content: {Grade.Bytes(content.Length)})";
            var reply = await Grade.CallServerAsync(Exercises.WriteFile, async () => await client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFrom(content) }));
            if (reply.FileName != name || reply.Size != content.Length)
            {
                throw GradingFailure.For(Exercises.WriteFile, "the reply does not describe the stored file.", call,
                    $"file_name \"{Shorten(name)}\", size {content.Length}", $"file_name \"{Shorten(reply.FileName)}\", size {reply.Size}", hint: "reply-size");
            }
            var path = Path.Combine(root, name);
            var stored = File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
            if (stored is null || !stored.AsSpan().SequenceEqual(content))
            {
                throw GradingFailure.For(Exercises.WriteFile, "the file on disk is not what was sent.", call,
                    $"a file {Shorten(name)} of {Grade.Bytes(content.Length)} in the storage folder",
                    stored is null ? "no such file" : $"a file of {Grade.Bytes(stored.Length)} with other content", hint: "write-bytes");
            }
        }

        await OverwritesAsync(client, root);

        var before = Snapshot(parent.Path);
        // The absolute name points inside the test's own folder, so a wrong write is seen by the snapshot.
        var badNames = new[] { "", "../escape.txt", Path.Combine(parent.Path, "absolute.txt"), "sub/dir.txt", "back\\slash.txt", "..", new string('x', 256) };
        foreach (var bad in badNames)
        {
            var call = $"WriteFile(file_name: \"{Shorten(bad)}\")";
            await Grade.ExpectErrorAsync(Exercises.WriteFile, call, StatusCode.InvalidArgument,
                async () => await client.WriteFileAsync(new WriteFileRequest { FileName = bad, Content = ByteString.CopyFromUtf8("must not be written") }), hint: "check-name");
            var after = Snapshot(parent.Path);
            if (!after.SequenceEqual(before))
            {
                throw GradingFailure.For(Exercises.WriteFile, "a rejected name still wrote a file.", call, "nothing written", $"files now: {Grade.Describe(after)}", hint: "check-name");
            }
        }
    }

    public static async Task ListFilesAsync<TService>(Func<string, TService> createService)
        where TService : FileService.FileServiceBase
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await Grade.HostAsync(() => createService(folder.Path));
        var client = new FileService.FileServiceClient(host.CreateChannel());

        var empty = await Grade.CallServerAsync(Exercises.ListFiles, async () => await client.ListFilesAsync(new ListFilesRequest()));
        if (empty.Files.Count != 0)
        {
            throw GradingFailure.For(Exercises.ListFiles, "an empty folder should list nothing.", "ListFiles() on an empty folder", "no files", Grade.Describe(empty.Files), hint: "enumerate-files");
        }

        await File.WriteAllTextAsync(Path.Combine(folder.Path, "b.txt"), "bbb");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "a.txt"), "a");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "c.bin"), "");
        // A folder inside the storage folder is not a file: it is not listed.
        Directory.CreateDirectory(Path.Combine(folder.Path, SubfolderName));
        var listing = await Grade.CallServerAsync(Exercises.ListFiles, async () => await client.ListFilesAsync(new ListFilesRequest()));
        var actual = listing.Files.Select(f => $"{f.Name} ({Grade.Bytes(f.Size)})").ToList();
        var expected = new[] { "a.txt (1 byte)", "b.txt (3 bytes)", "c.bin (0 bytes)" };
        var listsFolder = listing.Files.Any(f => f.Name == SubfolderName);
        if (!actual.SequenceEqual(expected))
        {
            throw GradingFailure.For(Exercises.ListFiles, "the listing is not every file with its size, ordered by name.", "ListFiles() with b.txt, a.txt, c.bin and a subfolder b-folder in the folder",
                Grade.Describe(expected), Grade.Describe(actual), hint: listsFolder ? "enumerate-files" : "order-by-name");
        }
    }

    public static async Task GreetAsync(Func<FileService.FileServiceClient, string, Task<string>> learnerGreet)
    {
        await using var reference = await ReferenceFileService.StartAsync();
        var result = await Grade.RunClientAsync(Exercises.GreetAsync, "GreetAsync(client, \"Ada\")", () => learnerGreet(reference.Client, "Ada"));
        var received = reference.Recorder.Calls.OfType<HelloRequest>().Select(r => r.Name).ToList();
        if (!received.SequenceEqual(["Ada"]))
        {
            throw GradingFailure.For(Exercises.GreetAsync, "the server did not receive one SayHello call with the name.", "GreetAsync(client, \"Ada\")",
                "one SayHello(name: \"Ada\")", received.Count == 0 ? "no SayHello call" : $"SayHello calls with names {Grade.Describe(received)}", hint: "await-call");
        }
        var expected = ReferenceFileService.Greeting("Ada");
        if (result != expected)
        {
            throw GradingFailure.For(Exercises.GreetAsync, "the method should return the server's message.", "GreetAsync(client, \"Ada\")", $"\"{expected}\"", Grade.Describe(result), hint: "return-message");
        }
        await ServerErrorReachesCallerAsync(Exercises.GreetAsync, "GreetAsync(client, \"Ada\")", reference, StatusCode.Unavailable, async () => (object)await learnerGreet(reference.Client, "Ada"), hint: "greet-errors");
    }

    public static async Task GetServerTimeClientAsync(Func<FileService.FileServiceClient, Task<DateTime>> learnerGetTime)
    {
        await using var reference = await ReferenceFileService.StartAsync();
        var result = await Grade.RunClientAsync(Exercises.GetServerTimeAsync, "GetServerTimeAsync(client)", () => learnerGetTime(reference.Client));
        if (result != ReferenceFileService.FixedTime || result.Kind != DateTimeKind.Utc)
        {
            throw GradingFailure.For(Exercises.GetServerTimeAsync, "the method should return the time the server sent, as a UTC DateTime (DateTimeKind.Utc).", "GetServerTimeAsync(client)",
                $"{ReferenceFileService.FixedTime:O} (Kind Utc)", $"{result:O} (Kind {result.Kind})", hint: "to-datetime");
        }
        var call = reference.Recorder.Deadlines.SingleOrDefault();
        if (call.Deadline == DateTime.MaxValue || call.Deadline == default)
        {
            throw GradingFailure.For(Exercises.GetServerTimeAsync, "the call was made without a deadline.", "GetServerTimeAsync(client)",
                "a deadline about 5 s after the call", "no deadline", hint: "call-deadline");
        }
        var allowed = call.Deadline - call.ReceivedAt;
        if (allowed < TimeSpan.FromSeconds(3) || allowed > TimeSpan.FromSeconds(6))
        {
            throw GradingFailure.For(Exercises.GetServerTimeAsync, "the deadline is not 5 seconds.", "GetServerTimeAsync(client)",
                "a deadline about 5 s after the call", $"a deadline {allowed.TotalSeconds:0.0} s after the call", hint: "call-deadline");
        }
        await ServerErrorReachesCallerAsync(Exercises.GetServerTimeAsync, "GetServerTimeAsync(client)", reference, StatusCode.DeadlineExceeded, async () => (object)await learnerGetTime(reference.Client), hint: "time-errors");
    }

    public static async Task WriteAndListAsync(Func<FileService.FileServiceClient, string, string, Task<IReadOnlyList<string>>> learnerWriteAndList)
    {
        await using var reference = await ReferenceFileService.StartAsync();
        const string callText = "WriteAndListAsync(client, \"diary.txt\", \"Dear diary ✎\")";
        var result = await Grade.RunClientAsync(Exercises.WriteAndListAsync, callText, () => learnerWriteAndList(reference.Client, "diary.txt", "Dear diary ✎"));
        var calls = reference.Recorder.Calls.ToList();
        var write = calls.OfType<WriteFileRequest>().FirstOrDefault();
        if (write is null || write.FileName != "diary.txt" || write.Content.ToStringUtf8() != "Dear diary ✎")
        {
            throw GradingFailure.For(Exercises.WriteAndListAsync, "the server did not receive the file.", callText,
                "WriteFile(file_name: \"diary.txt\", content: UTF-8 of \"Dear diary ✎\")",
                write is null ? "no WriteFile call" : $"WriteFile(file_name: \"{write.FileName}\", content: \"{write.Content.ToStringUtf8()}\")", hint: "utf8-bytes");
        }
        var writeIndex = calls.IndexOf(write);
        var listIndex = calls.FindIndex(c => c is ListFilesRequest);
        if (listIndex < writeIndex)
        {
            throw GradingFailure.For(Exercises.WriteAndListAsync, "ListFiles must come after WriteFile, so the listing shows the new file.", callText,
                "WriteFile, then ListFiles", listIndex < 0 ? "no ListFiles call" : "ListFiles before WriteFile", hint: "write-then-list");
        }
        if (reference.Recorder.ListedDuringWrite)
        {
            throw GradingFailure.For(Exercises.WriteAndListAsync, "ListFiles was called while WriteFile was still running, so the listing could not show the new file.", callText,
                "WriteFile answered, then ListFiles", "ListFiles started before WriteFile had answered (was the write awaited?)", hint: "write-then-list");
        }
        var expected = new[] { "existing.txt", "diary.txt" };
        if (!result.SequenceEqual(expected))
        {
            throw GradingFailure.For(Exercises.WriteAndListAsync, "the method should return the names the server listed, in its order.", callText, Grade.Describe(expected), Grade.Describe(result), hint: "listed-names");
        }
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : $"{name[..12]}...({name.Length} chars)";

    private static List<string> Snapshot(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Shorten(Path.GetRelativePath(folder, p))).Order(StringComparer.Ordinal).ToList();
}
