using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Testing;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Chapter05.Tests;

/// <summary>Tests of chapter 5: members of a room in memory, each a running call with streams of its own, and the client against the room on a TestServer.</summary>
public class ChatServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/chat.ChatService/JoinChat", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    /// <summary>A member in the room: what it sends, what it receives, and its call, running until Sends is completed.</summary>
    private sealed record Member(InMemoryStreamReader<ChatMessage> Sends, InMemoryServerStreamWriter<ChatMessage> Receives, Task Call);

    private static Member Join(ChatServiceImpl service)
    {
        var sends = new InMemoryStreamReader<ChatMessage>();
        var receives = new InMemoryServerStreamWriter<ChatMessage>();
        return new Member(sends, receives, service.JoinChat(sends, receives, Context()));
    }

    /// <summary>Hangs up: ends the member's request stream and waits for its call to end.</summary>
    private static async Task LeaveAsync(Member member)
    {
        member.Sends.Complete();
        try
        {
            await member.Call.WaitAsync(Patience);
        }
        finally
        {
            member.Receives.Complete();
        }
    }

    [Test]
    public async Task A_member_hears_its_own_arrival()
    {
        var alice = Join(new ChatServiceImpl(new ChatRoom()));

        var first = await alice.Receives.ReadNextAsync(Patience);
        await LeaveAsync(alice);

        Assert.That((first.Kind, first.UserId), Is.EqualTo((Kind.Joined, "Client(1)")));
    }

    [Test]
    public async Task Members_hear_who_joins_what_is_said_by_whom_and_who_leaves()
    {
        var service = new ChatServiceImpl(new ChatRoom());
        var alice = Join(service);
        await alice.Receives.ReadNextAsync(Patience);
        var bob = Join(service);
        try
        {
            var bobJoined = await alice.Receives.ReadNextAsync(Patience);
            Assert.That((bobJoined.Kind, bobJoined.UserId), Is.EqualTo((Kind.Joined, "Client(2)")));
            await bob.Receives.ReadNextAsync(Patience);

            // The first line settles the sender's name; a name written in a later line counts for nothing.
            alice.Sends.Add(new ChatMessage { UserId = "alice", Text = "hi" });
            var said = await bob.Receives.ReadNextAsync(Patience);
            Assert.That((said.Kind, said.UserId, said.Text), Is.EqualTo((Kind.Message, "alice", "hi")));
            alice.Sends.Add(new ChatMessage { UserId = "Mallory", Text = "it's me, Mallory" });
            var spoofed = await bob.Receives.ReadNextAsync(Patience);
            Assert.That((spoofed.Kind, spoofed.UserId), Is.EqualTo((Kind.Message, "alice")));

            await LeaveAsync(alice);
            var aliceLeft = await bob.Receives.ReadNextAsync(Patience);
            Assert.That((aliceLeft.Kind, aliceLeft.UserId), Is.EqualTo((Kind.Left, "alice")));
        }
        finally
        {
            alice.Sends.Complete();
            alice.Receives.Complete();
            await LeaveAsync(bob);
        }
    }

    [Test]
    public void A_message_too_long_ends_the_senders_call_with_InvalidArgument()
    {
        var alice = Join(new ChatServiceImpl(new ChatRoom()));
        try
        {
            alice.Sends.Add(new ChatMessage { Text = new string('x', ChatRoom.MaxTextLength + 1) });

            var error = Assert.ThrowsAsync<RpcException>(() => alice.Call.WaitAsync(Patience));

            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        }
        finally
        {
            alice.Sends.Complete();
            alice.Receives.Complete();
        }
    }

    [Test]
    public async Task ChatAsync_leaves_on_exit_without_sending_it()
    {
        // The room hosted in memory (TestServer), joined through a real GrpcChannel by a watcher and by ChatAsync.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ChatRoom());
        await using var app = builder.Build();
        app.MapGrpcService<ChatServiceImpl>();
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
        var client = new ChatService.ChatServiceClient(channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var watcher = client.JoinChat(cancellationToken: timeout.Token);
        // The watcher hears its own message once it is in the room: from then on it hears everything.
        await watcher.RequestStream.WriteAsync(new ChatMessage { Text = "watching" });
        while (await watcher.ResponseStream.MoveNext(timeout.Token) && watcher.ResponseStream.Current.Text != "watching")
        {
        }

        await ChatClient.ChatAsync(client, new[] { "hello", "exit", "after exit" }.ToAsyncEnumerable(), _ => { }, timeout.Token);

        // ChatAsync has returned, so all it sent is in the room, before the watcher's "done".
        await watcher.RequestStream.WriteAsync(new ChatMessage { Text = "done" });
        var watcherSaw = new List<string>();
        while (await watcher.ResponseStream.MoveNext(timeout.Token) && watcher.ResponseStream.Current.Text != "done")
        {
            if (watcher.ResponseStream.Current.Kind == Kind.Message)
            {
                watcherSaw.Add(watcher.ResponseStream.Current.Text);
            }
        }
        await watcher.RequestStream.CompleteAsync();
        Assert.That(watcherSaw, Is.EqualTo(new[] { "hello" }));
    }
}
