using System.Globalization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Grading;
using StreamingTutorial.Interop.Tests.CSharp;
using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests;

/// <summary>
/// deadline_propagation, a probe beyond the official cases: does a deadline travel as
/// grpc-timeout and come out as the server's deadline? The official timeout_on_sleeping_server
/// cannot tell, because the client's own timer ends that call whether or not the header was
/// sent. Python only (peers/python/deadline_probe.py); the C# server answers the same probe
/// header on EmptyCall.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class DeadlinePropagationTests
{
    private GrpcTestHost host = null!;
    private Task<PeerServer>? probeServer;
    private GrpcChannel? probeChannel;

    [OneTimeSetUp]
    public async Task StartCSharpServer() =>
        host = await GrpcTestHost.StartAsync(HostKind.Kestrel, app => app.MapGrpcService<InteropTestService>());

    [OneTimeTearDown]
    public async Task StopServers()
    {
        probeChannel?.Dispose();
        if (probeServer is { IsCompletedSuccessfully: true })
        {
            await probeServer.Result.DisposeAsync();
        }
        await host.DisposeAsync();
    }

    [TestCase(TestName = "deadline_propagation: csharp client -> python server", Category = "Client:csharp,Server:python,Peer:python")]
    public async Task CSharpClientToPythonServer()
    {
        Peer.Python.Require();
        probeServer ??= PeerServer.StartAsync("python deadline probe server", Peer.Python.Executable, Peer.Python.Script("deadline_probe", "serve", "--port", "0"), Peer.Python.Folder);
        var server = await probeServer;
        probeChannel ??= GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");
        await InteropClient.DeadlinePropagation(probeChannel);
    }

    [TestCase(TestName = "deadline_propagation: python client -> csharp server", Category = "Client:python,Server:csharp,Peer:python")]
    public async Task PythonClientToCSharpServer()
    {
        Peer.Python.Require();
        var result = await ProcessRunner.RunAsync(
            Peer.Python.Executable,
            Peer.Python.Script("deadline_probe", "client", "--server_port", host.Address.Port.ToString(CultureInfo.InvariantCulture)),
            Peer.Python.Folder,
            TimeSpan.FromSeconds(60));
        PeerVerdict.AssertPassed(result, "deadline_propagation", "the python deadline probe client");
    }

    [TestCase(TestName = "deadline_propagation: csharp client -> csharp server", Category = "Client:csharp,Server:csharp,Peer:csharp")]
    public async Task CSharpClientToCSharpServer() => await InteropClient.DeadlinePropagation(host.CreateChannel());
}
