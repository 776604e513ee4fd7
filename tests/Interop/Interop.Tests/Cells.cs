using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests;

/// <summary>How a cell of the matrix is named and tagged, and how a peer's verdict is read.</summary>
public static class Cells
{
    /// <summary>
    /// One cell, named "{case}: {client} client -> {server} server" and tagged Client:{client},
    /// Server:{server} and Peer:{the side that is not C#}, so `dotnet test --filter
    /// TestCategory=Client:python` picks a direction.
    /// </summary>
    public static TestCaseData Cell(string testCase, string client, string server, params object[] arguments)
    {
        var peer = client == "csharp" ? server : client;
        return new TestCaseData(arguments)
            .SetName($"{testCase}: {client} client -> {server} server")
            .SetCategory("Client:" + client)
            .SetCategory("Server:" + server)
            .SetCategory("Peer:" + peer);
    }
}

/// <summary>A peer client passes a case when it exits 0 and its last verdict line is "PASS {case}".</summary>
public static class PeerVerdict
{
    public static void AssertPassed(ProcessResult result, string caseName, string who)
    {
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var verdict = lines.LastOrDefault(l => l.StartsWith("PASS ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal));
        if (result.ExitCode == 0 && verdict == "PASS " + caseName)
        {
            return;
        }
        Assert.Fail($"{who} did not pass {caseName}: {verdict ?? "(no PASS/FAIL line)"} [{result.Describe()}]");
    }
}
