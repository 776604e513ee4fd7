using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests;

/// <summary>The matrix's axes: the official interop cases and the peers.</summary>
public static class InteropCases
{
    /// <summary>In the order of grpc/grpc doc/interop-test-descriptions.md.</summary>
    public static readonly string[] Names =
    [
        "empty_unary",
        "large_unary",
        "client_streaming",
        "server_streaming",
        "ping_pong",
        "empty_stream",
        "custom_metadata",
        "status_code_and_message",
        "special_status_message",
        "unimplemented_method",
        "unimplemented_service",
        "cancel_after_begin",
        "cancel_after_first_response",
        "timeout_on_sleeping_server",
    ];

    /// <summary>
    /// One cell of the matrix, named "{case}: {client} client -> {server} server" and tagged
    /// Client:{client}, Server:{server} and Peer:{the side that is not C#} (Peer:csharp for the
    /// baseline), so `dotnet test --filter TestCategory=Client:python` picks a direction.
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

    /// <summary>Every official case with the C# client against every peer's server.</summary>
    public static IEnumerable<TestCaseData> CSharpClientCells() =>
        from peer in Peer.All
        from testCase in Names
        select Cell(testCase, "csharp", peer.Name, testCase, peer.Name);

    /// <summary>Every official case with every peer's client against the C# server.</summary>
    public static IEnumerable<TestCaseData> PeerClientCells() =>
        from peer in Peer.All
        from testCase in Names
        select Cell(testCase, peer.Name, "csharp", testCase, peer.Name);
}
