using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Chapter04;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Interop.Tests.Peers;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Protos.Uploader;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Interop.Tests;

/// <summary>
/// The workbook's own contracts across languages: the chapter 3 upload (5 x 1,024 bytes ->
/// 5 chunks, 5,120 bytes), the chapter 4 sum (1..10 -> 55) and a two-member chapter 5 chat.
/// The C# side is the reference solutions (solutions/03, 04 and 05: UploaderServiceImpl and
/// UploaderClient, NumberServiceImpl and NumbersClient, ChatServiceImpl and ChatClient) on the
/// official grpc-dotnet packages; the other side is each peer's workbook_peer (serve / client).
/// </summary>
[TestFixture]
[Category("Interop")]
[Category("Workbook")]
public sealed class WorkbookInteropTests
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RoomStepTimeout = TimeSpan.FromSeconds(20);
    private static readonly Task Never = new TaskCompletionSource().Task;

    private readonly Dictionary<string, Task<PeerServer>> servers = new();
    private readonly Dictionary<string, GrpcChannel> channels = new();
    private GrpcTestHost host = null!;
    private string uploads = null!;

    public static IEnumerable<TestCaseData> CSharpClientCells() =>
        from peer in Peer.All
        from workbookCase in new[] { "upload", "sum", "chat" }
        select Cells.Cell("workbook " + workbookCase, "csharp", peer.Name, workbookCase, peer.Name);

    public static IEnumerable<TestCaseData> PeerClientCells() =>
        from peer in Peer.All
        from workbookCase in new[] { "upload", "sum", "chat" }
        select Cells.Cell("workbook " + workbookCase, peer.Name, "csharp", workbookCase, peer.Name);

    // One room, two languages: a peer member and the reference ChatClient.ChatAsync.
    public static IEnumerable<TestCaseData> RoomCells() =>
        from peer in new[] { Peer.Python }
        select Cells.Cell("workbook room", peer.Name, "csharp", peer.Name)
            .SetName($"workbook room: {peer.Name} and csharp clients -> csharp server");

    [OneTimeSetUp]
    public async Task StartCSharpServer()
    {
        uploads = Directory.CreateTempSubdirectory("interop-uploads-").FullName;
        host = await GrpcTestHost.StartAsync(HostKind.Kestrel,
            app =>
            {
                app.MapGrpcService<UploaderServiceImpl>();
                app.MapGrpcService<NumberServiceImpl>();
                app.MapGrpcService<ChatServiceImpl>();
            },
            // One room for the whole server, as in the chapter 5 program.
            services => services.AddSingleton(new UploadStorage(uploads)).AddSingleton(new ChatRoom()));
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await host.DisposeAsync();
        Directory.Delete(uploads, recursive: true);
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

    [TestCaseSource(nameof(CSharpClientCells))]
    public async Task CSharpClient(string workbookCase, string peerName)
    {
        var peer = Peer.ByName(peerName);
        peer.Require();
        var (server, channel) = await ServerFor(peer);
        Func<GrpcChannel, Task> run = workbookCase switch
        {
            "upload" => Upload,
            "sum" => Sum,
            "chat" => Chat,
            _ => throw new ArgumentOutOfRangeException(nameof(workbookCase)),
        };
        try
        {
            await run(channel).WaitAsync(CaseTimeout);
        }
        catch (Exception ex) when (ex is not ResultStateException)
        {
            Assert.Fail($"workbook {workbookCase} against the {peer.Name} server threw {ex.GetType().Name}: {ex.Message}\n{server.Description} stderr: {server.StderrTail}");
        }
    }

    [TestCaseSource(nameof(PeerClientCells))]
    public async Task PeerClient(string workbookCase, string peerName)
    {
        var peer = Peer.ByName(peerName);
        peer.Require();
        var result = await TestKit.Programs.RunAsync(
            new ProgramStart(peer.Executable, peer.Script("workbook_peer", "client", "--server_host", "127.0.0.1", "--server_port", host.Address.Port.ToString(CultureInfo.InvariantCulture), "--case", workbookCase)) { WorkingDirectory = peer.Folder },
            ClientTimeout);
        PeerVerdict.AssertPassed(result, workbookCase, $"the {peer.Name} workbook client");
    }

    /// <summary>
    /// A Python member and the reference C# client chat in one room on the C# server. The C#
    /// member joins first; the peer joins and says "hello from python"; the C# member answers
    /// "hello from csharp" and types exit. Each checks the other's line, and the notices: the
    /// C# member sees the peer join, the peer sees the C# member leave (workbook_peer.py, case room).
    /// </summary>
    [TestCaseSource(nameof(RoomCells))]
    public async Task PeerAndCSharpMembers(string peerName)
    {
        var peer = Peer.ByName(peerName);
        peer.Require();
        using var channel = GrpcChannel.ForAddress(host.Address);
        using var cancel = new CancellationTokenSource(ClientTimeout);
        var typed = Channel.CreateUnbounded<string>();
        var received = Channel.CreateUnbounded<ChatMessage>();
        var seen = new List<string>();
        var chatting = ChatClient.ChatAsync(new ChatService.ChatServiceClient(channel), typed.Reader.ReadAllAsync(),
            message => received.Writer.TryWrite(message), cancel.Token);
        Task<ProcessResult>? peerRun = null;

        // The next message the C# member receives; fails at once if either member has finished early.
        async Task<ChatMessage> Next(string what)
        {
            var read = received.Reader.ReadAsync().AsTask();
            var ended = await Task.WhenAny(read, chatting, peerRun ?? Never, Task.Delay(RoomStepTimeout));
            if (ended != read)
            {
                var why = ended == chatting ? $"the C# member's call ended ({chatting.Exception?.GetBaseException().Message ?? "OK"})"
                    : ended == peerRun ? $"the {peer.Name} member finished: {peerRun.Result.Describe()}"
                    : $"nothing came within {RoomStepTimeout.TotalSeconds:0} s";
                Assert.Fail($"The C# member was waiting for {what}, but {why}. It had received: [{string.Join(" | ", seen)}]");
            }
            var message = await read;
            seen.Add(ChatClient.FormatLine(message));
            Assert.That(message.Timestamp, Is.GreaterThan(0), $"timestamp of {what}");
            return message;
        }

        try
        {
            var myJoin = await Next("its own join notice");
            Assert.That(myJoin.Kind, Is.EqualTo(Kind.Joined), "the first message is the member's own join notice");
            var me = myJoin.UserId;

            peerRun = TestKit.Programs.RunAsync(
                new ProgramStart(peer.Executable, peer.Script("workbook_peer", "client", "--server_host", "127.0.0.1", "--server_port", host.Address.Port.ToString(CultureInfo.InvariantCulture), "--case", "room")) { WorkingDirectory = peer.Folder },
                ClientTimeout);
            var peerJoin = await Next($"the {peer.Name} member's join notice");
            Assert.That((peerJoin.Kind, peerJoin.Text), Is.EqualTo((Kind.Joined, ChatRoom.JoinedText)), $"the {peer.Name} member's join notice");
            var other = peerJoin.UserId;
            Assert.That(other, Is.Not.EqualTo(me), "the two members' names");

            var peerLine = await Next($"the {peer.Name} member's line");
            Assert.That((peerLine.Kind, peerLine.UserId, peerLine.Text), Is.EqualTo((Kind.Message, other, "hello from python")), $"the {peer.Name} member's line");

            await typed.Writer.WriteAsync("hello from csharp");
            var myLine = await Next("its own line");
            Assert.That((myLine.Kind, myLine.UserId, myLine.Text), Is.EqualTo((Kind.Message, me, "hello from csharp")), "the C# member's own line, as the room sent it back");

            // Leaving: the room tells the peer member, who then leaves too.
            await typed.Writer.WriteAsync("exit");
            await chatting.WaitAsync(RoomStepTimeout);
            Assert.That(received.Reader.TryRead(out var extra), Is.False, $"the C# member received something after leaving: {(extra is null ? "" : ChatClient.FormatLine(extra))}");

            var result = await peerRun;
            PeerVerdict.AssertPassed(result, "room", $"the {peer.Name} room member");
            Assert.That(result.Stdout, Does.Contain($"ROOM me={other} other={me}"),
                $"the {peer.Name} member should know itself as {other} and the C# member as {me}");
        }
        finally
        {
            await cancel.CancelAsync();
            await Task.WhenAny(chatting, Task.Delay(TimeSpan.FromSeconds(5)));
            if (peerRun is not null)
            {
                await Task.WhenAny(peerRun, Task.Delay(ClientTimeout));
            }
        }
    }

    // upload: the reference client streams 5 random chunks of 1,024 bytes; the server counts 5 and 5,120.
    private static async Task Upload(GrpcChannel channel)
    {
        var summary = await UploaderClient.UploadRandomChunksAsync(new UploaderService.UploaderServiceClient(channel), 5, 1024);
        Assert.That(summary.TotalChunks, Is.EqualTo(5), "total_chunks");
        Assert.That(summary.TotalBytes, Is.EqualTo(5_120), "total_bytes");
    }

    // sum: the reference client streams 1..10; the server answers 55.
    private static async Task Sum(GrpcChannel channel)
    {
        var sum = await NumbersClient.SumAsync(new NumberService.NumberServiceClient(channel), Enumerable.Range(1, 10));
        Assert.That(sum, Is.EqualTo(55), "sum of 1..10");
    }

    // chat: alice and bob join, each says one thing, each hears both (with a server timestamp), both leave, both calls end OK.
    private static async Task Chat(GrpcChannel channel)
    {
        var client = new ChatService.ChatServiceClient(channel);
        string[] names = ["alice", "bob"];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var calls = names.ToDictionary(n => n, n => client.JoinChat(deadline: deadline));
        try
        {
            // The workbook peers send response headers once a member has joined: after both
            // have them, nobody can miss a message.
            foreach (var (name, call) in calls)
            {
                await call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(5));
            }
            foreach (var name in names)
            {
                await calls[name].RequestStream.WriteAsync(new ChatMessage { UserId = name, Text = $"hello from {name}" });
            }
            var expected = names.Select(n => (n, $"hello from {n}")).ToHashSet();
            foreach (var name in names)
            {
                var received = new List<(string, string)>();
                for (var i = 0; i < names.Length; i++)
                {
                    Assert.That(await calls[name].ResponseStream.MoveNext(CancellationToken.None), Is.True,
                        $"{name}'s stream ended after {received.Count} messages");
                    var message = calls[name].ResponseStream.Current;
                    Assert.That(message.Timestamp, Is.GreaterThan(0), $"{name}: timestamp of '{message.Text}'");
                    received.Add((message.UserId, message.Text));
                }
                Assert.That(received, Is.EquivalentTo(expected), $"what {name} received");
            }
            foreach (var name in names)
            {
                await calls[name].RequestStream.CompleteAsync();
            }
            foreach (var name in names)
            {
                Assert.That(await calls[name].ResponseStream.MoveNext(CancellationToken.None), Is.False, $"{name}: no message after leaving");
                Assert.That(calls[name].GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), $"{name}: final status");
            }
        }
        finally
        {
            foreach (var call in calls.Values)
            {
                call.Dispose();
            }
        }
    }

    private async Task<(PeerServer Server, GrpcChannel Channel)> ServerFor(Peer peer)
    {
        Task<PeerServer> start;
        lock (servers)
        {
            if (!servers.TryGetValue(peer.Name, out start!))
            {
                start = PeerServer.StartAsync($"{peer.Name} workbook server", peer.Executable, peer.Script("workbook_peer", "serve", "--port", "0"), peer.Folder);
                servers[peer.Name] = start;
            }
        }
        var server = await start;
        lock (channels)
        {
            if (!channels.TryGetValue(peer.Name, out var channel))
            {
                channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");
                channels[peer.Name] = channel;
            }
            return (server, channel);
        }
    }
}
