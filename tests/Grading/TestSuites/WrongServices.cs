namespace StreamingTutorial.Grading.TestSuites;

/// <summary>
/// Each chapter's wrong services, the bugs a learner's tests (exercise N.T) must catch. Their
/// code is in WrongServices/ChapterNN/, out of the learner's way and out of this library's build.
/// </summary>
public static class WrongServices
{
    private static readonly Dictionary<string, WrongService[]> ByExercise = new()
    {
        ["1.T"] =
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
        ["2.T"] =
        [
            new("NeverSendsMax.cs", "a GenerateNumbers that never sends max",
                "ask for many numbers between two close values (Min = 1, Max = 2, Count = 200) and check both turn up."),
            new("SharedSequence.cs", "a GetTimeUpdates whose sequence numbers carry on from the previous call",
                "run GetTimeUpdates twice, cancelling each call after two updates, and check each call numbers its updates from 1."),
            new("NoDefaultInterval.cs", "a GetTimeUpdates that sends without a pause when interval_ms is 0 (it should wait 1 second)",
                "with IntervalMs = 0, read one update, then check no second one arrives within 200 ms: Assert.ThrowsAsync<TimeoutException>(() => responses.ReadNextAsync(TimeSpan.FromMilliseconds(200)))."),
            new("IgnoresCancellation.cs", "a GetTimeUpdates that goes on sending after its call is cancelled",
                "start GetTimeUpdates with a context whose CancellationToken you control, cancel it, and check the method returns soon: await running.WaitAsync(TimeSpan.FromSeconds(2))."),
            new("DeadlineErrorEscapes.cs", "a ReadNumbersAsync (the client) that throws when the deadline passes instead of returning the numbers that arrived",
                "host RandomServiceImpl on a TestServer and call StreamingClient.ReadNumbersAsync with a timeout shorter than the stream: it should return, not throw."),
        ],
    };

    public static IReadOnlyList<WrongService> For(string exerciseId) =>
        ByExercise.TryGetValue(exerciseId, out var services) ? services : throw new KeyNotFoundException($"No wrong services for exercise {exerciseId}.");
}
