namespace StreamingTutorial.Grading.TestSuites;

/// <summary>
/// Each chapter's wrong services, the bugs a learner's tests (exercise N.T) must catch. Their
/// code is in WrongServices/ChapterNN/, out of the learner's way and out of this library's build.
/// </summary>
public static class WrongServices
{
    private static readonly Dictionary<int, WrongService[]> ByChapter = new()
    {
        [1] =
        [
            new("GreetsBlankNames.cs", "a SayHello that greets a blank name instead of rejecting it",
                "call SayHello with Name = \"\" and check it throws an RpcException whose StatusCode is InvalidArgument (Assert.ThrowsAsync)."),
            new("WritesUncheckedNames.cs", "a WriteFile that stores \"../escape.txt\" outside its folder",
                "call WriteFile with a name holding a folder, such as \"../escape.txt\", and check it fails with InvalidArgument and writes nothing."),
            new("ListsFolders.cs", "a ListFiles that also lists folders",
                "make a folder inside the storage's Root (Directory.CreateDirectory), write a file, and check ListFiles names only the file."),
            new("IgnoresCancellation.cs", "a WriteFile that goes on writing after the caller cancelled",
                "give TestServerCallContext.Create a cancellationToken that is already cancelled, then check WriteFile throws and the file was not written."),
            new("GreetsInCapitals.cs", "a GreetAsync (the client) that sends the name in capitals",
                "host FileServiceImpl on a TestServer, call FileClient.GreetAsync through a real GrpcChannel, and check the greeting it returns."),
        ],
        [2] =
        [
            new("NeverSendsMax.cs", "a GenerateNumbers that never sends max",
                "ask for many numbers between two close values (Min = 1, Max = 2, Count = 200) and check both turn up."),
            new("SharedSequence.cs", "a GetTimeUpdates whose sequence numbers carry on from the previous call",
                "run GetTimeUpdates twice, cancelling each call after two updates, and check each call numbers its updates from 1."),
            new("NoDefaultInterval.cs", "a GetTimeUpdates that sends without a pause when interval_ms is 0 (it should wait 1 second)",
                "with IntervalMs = 0, read one update, then check no second one arrives within 200 ms: Assert.ThrowsAsync<TimeoutException>(() => responses.ReadNextAsync(TimeSpan.FromMilliseconds(200)))."),
            new("IgnoresCancellation.cs", "a GetTimeUpdates that goes on sending after its call is cancelled",
                "start GetTimeUpdates with a context whose CancellationToken you control, cancel it, and check the method returns soon: await running.WaitAsync(TimeSpan.FromSeconds(2))."),
            new("ReadsOneTooMany.cs", "a ReadTimeUpdatesAsync (the client) that hands over one update more than maxUpdates",
                "host StreamingServiceImpl on a TestServer, call StreamingClient.ReadTimeUpdatesAsync with maxUpdates: 3 through a real GrpcChannel, and check onUpdate saw exactly 3 updates."),
        ],
        [3] =
        [
            new("FixedChunkSize.cs", "an UploadImage that counts every chunk as 1024 bytes",
                "send chunks of different sizes, one of them empty (ByteString.Empty), and check TotalBytes is their sum."),
            new("SkipsFirstChunk.cs", "an UploadImage that leaves the first chunk out of its counts",
                "send two or three chunks and check TotalChunks counts every one of them."),
            new("KeepsLastChunk.cs", "an UploadFile that keeps only the last chunk",
                "upload a file in two chunks, then read it back from the storage's Root: it should hold both chunks, in order."),
            new("LeavesPartialFile.cs", "an UploadFile that leaves a half-written file behind when the upload is too large",
                "give the service new UploadStorage(folder, maxFileBytes: 10), upload more than 10 bytes, and check it fails with ResourceExhausted and the folder is empty."),
            new("AcceptsFolderNames.cs", "an UploadFile that stores \"../escape.png\" outside its folder",
                "upload a file whose name holds a folder, such as \"../escape.png\", and check it fails with InvalidArgument and nothing was written."),
        ],
        [4] =
        [
            new("WrapsAround.cs", "a SumNumbers that wraps around past int.MaxValue instead of failing with OutOfRange",
                "send int.MaxValue and 1, and check the call fails with an RpcException whose StatusCode is OutOfRange."),
            new("MinStartsAtZero.cs", "a SummarizeReadings whose minimum starts at 0",
                "send readings that are all above 0, the smallest not first (5, 3, 8), and check Min is 3."),
            new("AcceptsNaN.cs", "a SummarizeReadings that takes in a NaN reading",
                "send a reading whose Value is double.NaN and check the call fails with InvalidArgument."),
            new("EmptyStreamInfinity.cs", "a SummarizeReadings that answers no readings with an infinite minimum and a NaN mean",
                "send no readings at all (InMemoryStreamReader.Of<SensorReading>()) and check every field of the summary is 0."),
            new("StopsAtZero.cs", "a SumAsync (the client) that stops sending at the first 0",
                "host NumberServiceImpl on a TestServer and check NumbersClient.SumAsync with [1, 0, 2] returns 3."),
        ],
        [5] =
        [
            new("NoJoinNotice.cs", "a chat room that does not announce a member who joins",
                "join one member, then a second, and check the first receives a message of Kind Joined from Client(2)."),
            new("TrustsClientName.cs", "a JoinChat that passes on whatever name the client writes in each message",
                "send a first line with UserId = \"alice\", then one with UserId = \"Mallory\", and check the others receive both from alice: the first line settles the name."),
            new("NoLeftNotice.cs", "a chat room that does not tell the others when a member leaves",
                "Complete one member's request stream, await its call, and check the other member receives a message of Kind Left."),
            new("AcceptsLongMessages.cs", "a JoinChat that passes on a message longer than ChatRoom.MaxTextLength",
                "send new string('x', ChatRoom.MaxTextLength + 1) and check the sender's call ends with InvalidArgument (await it with a time-out)."),
            new("SendsExit.cs", "a ChatAsync (the client) that sends \"exit\" to the room instead of leaving",
                "host ChatServiceImpl on a TestServer, watch the room with a raw JoinChat call, run ChatClient.ChatAsync with the lines \"hello\" and \"exit\", and check the watcher hears only \"hello\"."),
        ],
    };

    public static IReadOnlyList<WrongService> For(Chapter chapter) =>
        ByChapter.TryGetValue(chapter.Number, out var services) ? services : throw new KeyNotFoundException($"No wrong services for chapter {chapter.Number}.");

    /// <summary>The wrong service's patch: WrongServices/ChapterNN/File.cs, beside this library's sources.</summary>
    public static string PathOf(string root, Chapter chapter, WrongService wrong) =>
        Path.Combine(root, "tests", "Grading", "TestSuites", "WrongServices", $"Chapter{chapter.Number:00}", wrong.File);
}
