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
    };

    public static IReadOnlyList<WrongService> For(string exerciseId) =>
        ByExercise.TryGetValue(exerciseId, out var services) ? services : throw new KeyNotFoundException($"No wrong services for exercise {exerciseId}.");
}
