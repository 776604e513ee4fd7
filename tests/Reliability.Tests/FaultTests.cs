using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// Processes that die or vanish in the middle of a call: an uploader killed half-way, a server
/// killed or stopped under its streams, chat members that disappear without a word. Nothing
/// may be left half-done and everyone else must carry on.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("Faults")]
public class FaultTests
{
    private const int MiB = 1024 * 1024;

    [Test]
    public async Task A_client_killed_mid_upload_leaves_no_file_and_an_upload_alongside_it_completes_intact()
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<UploaderServiceImpl>(),
            Services = services => services.AddSingleton(new UploadStorage(folder.Path)),
        });
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());
        await using var uploader = Children.StartMode("upload-and-stall", host.Address.ToString(), "victim.bin", "8");
        await uploader.ExpectLineStartingAsync("SENT");
        Assert.That(await Waits.UntilAsync(() => Directory.EnumerateFiles(folder.Path, "*.uploading").Any()), Is.True,
            "the killed client's upload should be in progress, in a temporary file, before the kill");
        var victimTemp = Directory.EnumerateFiles(folder.Path, "*.uploading").Single();

        // A healthy upload runs while the other client dies.
        var healthy = Uploads.UploadAsync(client, "healthy.bin", 64L * MiB, seed: 11);
        var clock = Stopwatch.StartNew();
        await uploader.KillAsync();
        Assert.That(await Waits.UntilAsync(() => !File.Exists(victimTemp)), Is.True, "the killed upload's temporary file should be deleted");
        var cleanedUp = clock.Elapsed;
        var (summary, sent) = await healthy.Within("the healthy upload");
        await host.AssertAllHandlersEndAsync("the uploading process was killed and the healthy upload finished");

        Figures.Report("killed-uploader", $"the killed upload's temporary file was gone {cleanedUp.TotalMilliseconds:0} ms after the kill, while a 64 MiB upload ran alongside");
        Assert.Multiple(() =>
        {
            Assert.That(Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "healthy.bin" }),
                "the folder once the killed upload's handler has ended: no partial file, no temporary file");
            Assert.That(summary.Sha256, Is.EqualTo(sent), "the server's SHA-256 of the healthy upload");
        });
        Assert.That(await Uploads.FileSha256Async(Path.Combine(folder.Path, "healthy.bin")), Is.EqualTo(sent), "the SHA-256 of the stored file");
        var (again, againSent) = await Uploads.UploadAsync(client, "victim.bin", 8L * MiB, seed: 12).Within("the killed upload, sent again");
        Assert.That(again.Sha256, Is.EqualTo(againSent), "the upload the killed client never finished, sent again by a live one");
    }

    [Test]
    public async Task A_server_killed_mid_stream_gives_every_client_UNAVAILABLE_promptly()
    {
        await using var server = Children.StartMode("chat-server");
        var address = await server.ExpectLineStartingAsync("LISTENING");
        var members = new List<ChatMemberClient>();
        var channels = Enumerable.Range(0, 3).Select(_ => Grpc.Net.Client.GrpcChannel.ForAddress(address)).ToList();
        try
        {
            foreach (var channel in channels)
            {
                members.Add(await ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(channel)));
            }
            await members[0].SayAsync("before the crash");
            foreach (var member in members)
            {
                await member.WaitForAsync(m => m.Text == "before the crash", "the line sent before the crash");
            }

            var clock = Stopwatch.StartNew();
            await server.KillAsync();
            var errors = new List<RpcException>();
            foreach (var member in members)
            {
                errors.Add(await Waits.Fails(() => member.Reading, "a member's call when its server dies", TimeSpan.FromSeconds(5)));
            }
            var noticed = clock.Elapsed;
            var newCall = await Waits.Fails(() => ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(channels[0])), "a new call to the dead server", TimeSpan.FromSeconds(5));

            Figures.Report("killed-server", $"all 3 members had UNAVAILABLE {noticed.TotalMilliseconds:0} ms after the server was killed");
            Assert.Multiple(() =>
            {
                Assert.That(errors.Select(e => e.StatusCode), Is.All.EqualTo(StatusCode.Unavailable), $"statuses of the open calls: {string.Join(" | ", errors.Select(e => e.Status.Detail))}");
                Assert.That(newCall.StatusCode, Is.EqualTo(StatusCode.Unavailable), $"status of a new call ({newCall.Status.Detail})");
            });
        }
        finally
        {
            members.ForEach(m => m.Dispose());
            channels.ForEach(c => c.Dispose());
        }
    }

    // The client programs whose call is still streaming when the server dies: the line each prints mid-stream.
    [TestCase("Chapter02.ServerStreaming", "[1] ", new[] { "--interval", "100" }, TestName = "Chapter 2's client program, reading time updates, ends with a clear message and exit code 1 when its server is killed")]
    [TestCase("Chapter04.SumNumbers", "  sending ", new[] { "--interval-ms", "500" }, TestName = "Chapter 4's client program, streaming readings, ends with a clear message and exit code 1 when its server is killed")]
    [TestCase("Chapter05.ChatRoom", "[", new string[0], TestName = "Chapter 5's client program, in the chat, ends with a clear message and exit code 1 when its server is killed")]
    public async Task A_client_program_whose_server_is_killed_mid_stream_says_so_and_exits_with_1(string program, string midStream, string[] options)
    {
        var (server, address) = await Children.StartDemoServerAsync(program);
        await using var serverProcess = server;
        await using var client = Children.StartDemoClient(program, address, options);
        await client.ExpectLineStartingAsync(midStream);

        await server.KillAsync();
        var exitCode = await client.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var output = client.Output + client.Errors;
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), $"exit code of the client program. {client.Transcript}");
            Assert.That(client.Errors, Does.Contain(address), "a message on stderr that names the server it lost");
            Assert.That(output, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public async Task Ctrl_C_on_a_chapter_demo_server_ends_its_open_streams_with_UNAVAILABLE_within_seconds()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Sending Ctrl+C to another process needs its own console on Windows; the killed-server test covers the client side there.");
        }
        await using var server = Children.StartDemo("Chapter05.ChatRoom", "server", "--port", "0");
        var address = await Children.ListeningAddressAsync(server);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
        using var member = await ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(channel));

        var clock = Stopwatch.StartNew();
        server.Interrupt();
        var ex = await Waits.Fails(() => member.Reading, "the open chat stream when its demo server is stopped with Ctrl+C", TimeSpan.FromSeconds(10));
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Figures.Report("ctrl-c-server", $"the open stream ended {clock.ElapsedMilliseconds} ms after Ctrl+C; the server exited with code {exitCode}");
        Waits.AssertStatus(ex, StatusCode.Unavailable, "", "a stream whose server was stopped");
        Assert.That(exitCode, Is.Zero, $"exit code of the demo server after Ctrl+C. {server.Transcript}");
    }

    [Test]
    public async Task A_chat_member_whose_process_is_killed_leaves_the_room_and_the_others_hear_it_at_once()
    {
        var room = new ChatRoom();
        await using var host = await SecurityTests.ChatHostAsync(room);
        var client = new ChatService.ChatServiceClient(host.CreateChannel());
        using var alice = await ChatMemberClient.JoinAsync(client);
        await using var doomed = Children.StartMode("chat-member", host.Address.ToString());
        var doomedName = await doomed.ExpectLineStartingAsync("JOINED");
        using var bob = await ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(host.CreateChannel()));

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        await alice.WaitForAsync(m => m.Kind == Kind.Left && m.UserId == doomedName, $"the notice that {doomedName} left");
        var heard = clock.Elapsed;
        await bob.WaitForAsync(m => m.Kind == Kind.Left && m.UserId == doomedName, $"the notice that {doomedName} left");
        await alice.SayAsync("anyone left?");
        await bob.WaitForAsync(m => m.Text == "anyone left?", "Alice's line after the crash");

        Figures.Report("killed-member", $"the others heard that the killed member left {heard.TotalMilliseconds:0} ms after the kill");
        Assert.That(room.Count, Is.EqualTo(2), "members in the room after one was killed");
    }

    [Test]
    public async Task A_chat_member_that_goes_silent_without_closing_is_dropped_with_RESOURCE_EXHAUSTED_and_nobody_waits_for_it()
    {
        var room = new ChatRoom();
        await using var host = await SecurityTests.ChatHostAsync(room);
        using var alice = await ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(host.CreateChannel()));
        using var bob = await ChatMemberClient.JoinAsync(new ChatService.ChatServiceClient(host.CreateChannel()));
        // Joins and then reads nothing and says nothing, its connection open: a laptop closed mid-chat.
        using var silent = ChatMemberClient.Join(new ChatService.ChatServiceClient(host.CreateChannel()), read: false);
        Assert.That(await Waits.UntilAsync(() => room.Count == 3), Is.True, "the silent member joined");
        var others = new[] { await alice.NameAsync(), await bob.NameAsync() };
        var silentName = (await alice.WaitForAsync(m => m.Kind == Kind.Joined && !others.Contains(m.UserId), "the silent member's join notice")).UserId;
        var line = new string('x', 1000);

        // Lines go in rounds of 20, each read by Alice and Bob before the next: they keep up, the silent one cannot.
        var sent = 0;
        while (room.Count == 3 && sent < 5000)
        {
            for (var i = 0; i < 20; i++, sent++)
            {
                await alice.SayAsync($"{sent}:{line}");
            }
            var last = $"{sent - 1}:";
            await alice.WaitForAsync(m => m.Text.StartsWith(last, StringComparison.Ordinal), $"line {sent - 1}");
            await bob.WaitForAsync(m => m.Text.StartsWith(last, StringComparison.Ordinal), $"line {sent - 1}");
        }
        await alice.WaitForAsync(m => m.Kind == Kind.Left && m.UserId == silentName, $"the notice that {silentName} was dropped");
        Figures.Report("silent-member", $"the silent member was dropped after {sent} lines of 1 KB (outbox {room.MaxPendingMessages} messages, plus what HTTP/2 flow control let through)");

        await alice.SayAsync("done");
        foreach (var member in new[] { alice, bob })
        {
            await member.WaitForAsync(m => m.Text == "done", "the last line");
            var lines = member.Received.Where(m => m.Kind == Kind.Message && m.Text != "done").Select(m => int.Parse(m.Text.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.That(lines, Is.EqualTo(Enumerable.Range(0, sent)), $"{await member.NameAsync()} received every line, in order, while the silent member was dropped");
        }
        var status = await Waits.Fails(async () =>
        {
            while (await silent.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, "what the silent member finds when it reads again");
        Waits.AssertStatus(status, StatusCode.ResourceExhausted, $"{silentName} fell more than {room.MaxPendingMessages} messages behind and was disconnected.", "the dropped member's call");
    }
}
