using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Grading;
using StreamingTutorial.Interop.Tests.CSharp;
using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests;

/// <summary>
/// The C# interop client (the workbook's runtime) against each peer's interop server
/// (Python grpcio, Node grpc-js). One server process per peer for the whole fixture.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class CSharpClientToPeerServerTests
{
    private readonly Dictionary<string, Task<PeerServer>> servers = new();
    private readonly Dictionary<string, GrpcChannel> channels = new();

    public static IEnumerable<TestCaseData> Cells() => InteropCases.CSharpClientCells();

    [TestCaseSource(nameof(Cells))]
    public async Task Cell(string testCase, string peerName)
    {
        var peer = Peer.ByName(peerName);
        peer.Require();
        var (server, channel) = await ServerFor(peer);
        try
        {
            await InteropClient.RunAsync(testCase, channel);
        }
        catch (Exception ex) when (ex is not ResultStateException)
        {
            Assert.Fail($"{testCase} against the {peer.Name} server threw {ex.GetType().Name}: {ex.Message}\n{server.Description} stderr: {server.StderrTail}");
        }
        Assert.That(server.HasExited, Is.False, $"the {peer.Name} server is still running after {testCase}; stderr: {server.StderrTail}");
    }

    private async Task<(PeerServer Server, GrpcChannel Channel)> ServerFor(Peer peer)
    {
        Task<PeerServer> start;
        lock (servers)
        {
            if (!servers.TryGetValue(peer.Name, out start!))
            {
                start = PeerServer.StartAsync($"{peer.Name} interop server", peer.Executable, peer.Script("interop_server", "--port", "0"), peer.Folder);
                servers[peer.Name] = start;
            }
        }
        var server = await start;
        lock (channels)
        {
            if (!channels.TryGetValue(peer.Name, out var channel))
            {
                channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}", new GrpcChannelOptions
                {
                    MaxReceiveMessageSize = 16 * 1024 * 1024,
                    MaxSendMessageSize = 16 * 1024 * 1024,
                });
                channels[peer.Name] = channel;
            }
            return (server, channel);
        }
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }
        foreach (var start in servers.Values)
        {
            if (start.IsCompletedSuccessfully)
            {
                await start.Result.DisposeAsync();
            }
        }
    }
}

/// <summary>
/// Each peer's interop client (a separate process per case) against the C# interop server:
/// InteropTestService on the workbook's runtime, on real Kestrel at 127.0.0.1.
/// </summary>
[TestFixture]
[Category("Interop")]
[Parallelizable(ParallelScope.Children)]
public sealed class PeerClientToCSharpServerTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    private GrpcTestHost host = null!;

    public static IEnumerable<TestCaseData> Cells() => InteropCases.PeerClientCells();

    [OneTimeSetUp]
    public async Task StartServer() =>
        host = await GrpcTestHost.StartAsync(HostKind.Kestrel, app => app.MapGrpcService<InteropTestService>());

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [TestCaseSource(nameof(Cells))]
    public async Task Cell(string testCase, string peerName)
    {
        var peer = Peer.ByName(peerName);
        peer.Require();
        var result = await ProcessRunner.RunAsync(
            peer.Executable,
            peer.Script("interop_client", "--server_host", "127.0.0.1", "--server_port", host.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--test_case", testCase),
            peer.Folder,
            ClientTimeout);
        PeerVerdict.AssertPassed(result, testCase, $"the {peer.Name} interop client");
    }
}

/// <summary>Reads a peer client's verdict: exit code 0 and a 'PASS name' line.</summary>
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

/// <summary>
/// The baseline column: the C# client against the C# server on Kestrel. Not interop, but it
/// tells a runtime bug that shows on both sides apart from a disagreement with the peers.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class CSharpClientToCSharpServerTests
{
    private GrpcTestHost host = null!;
    private GrpcChannel channel = null!;

    public static IEnumerable<TestCaseData> Cells() =>
        InteropCases.Names.Select(testCase => InteropCases.Cell(testCase, "csharp", "csharp", testCase));

    [OneTimeSetUp]
    public async Task StartServer()
    {
        host = await GrpcTestHost.StartAsync(HostKind.Kestrel, app => app.MapGrpcService<InteropTestService>());
        channel = host.CreateChannel();
    }

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [TestCaseSource(nameof(Cells))]
    public Task Cell(string testCase) => InteropClient.RunAsync(testCase, channel);
}
