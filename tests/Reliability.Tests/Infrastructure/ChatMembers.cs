using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// One chat member for tests: its call, its name (learned from its own join notice) and every
/// message it received, in order. Reading runs in the background until the call ends.
/// </summary>
internal sealed class ChatMemberClient : IDisposable
{
    private readonly AsyncDuplexStreamingCall<ChatMessage, ChatMessage> call;
    private readonly List<ChatMessage> received = new();
    private readonly TaskCompletionSource<string> name = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim arrived = new(0);

    private ChatMemberClient(AsyncDuplexStreamingCall<ChatMessage, ChatMessage> call, bool read)
    {
        this.call = call;
        Reading = read ? ReadAsync() : Task.CompletedTask;
    }

    /// <summary>Completes when the call ends: with the server's RpcException if it failed.</summary>
    public Task Reading { get; }

    public IAsyncStreamReader<ChatMessage> ResponseStream => call.ResponseStream;

    public static ChatMemberClient Join(ChatService.ChatServiceClient client, bool read = true) => new(client.JoinChat(), read);

    /// <summary>Joins and waits for the member's own join notice, which names it.</summary>
    public static async Task<ChatMemberClient> JoinAsync(ChatService.ChatServiceClient client)
    {
        var member = Join(client);
        await member.NameAsync().Within("a member's own join notice");
        return member;
    }

    public Task<string> NameAsync() => name.Task;

    public List<ChatMessage> Received
    {
        get
        {
            lock (received)
            {
                return received.ToList();
            }
        }
    }

    public Task SayAsync(string text) => call.RequestStream.WriteAsync(new ChatMessage { Text = text });

    /// <summary>Sends a whole message as the client wrote it, fields the server should ignore included.</summary>
    public Task SayAsMessageAsync(ChatMessage message) => call.RequestStream.WriteAsync(message);

    public Task LeaveAsync() => call.RequestStream.CompleteAsync();

    /// <summary>Waits until a received message matches.</summary>
    public async Task<ChatMessage> WaitForAsync(Func<ChatMessage, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Waits.Patience;
        var seen = 0;
        while (true)
        {
            var messages = Received;
            for (; seen < messages.Count; seen++)
            {
                if (match(messages[seen]))
                {
                    return messages[seen];
                }
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"{await NameOrUnknownAsync()} never received {what}; it received: {string.Join(" | ", messages.Select(Describe))}");
            }
            if (Reading.IsCompleted && seen == Received.Count)
            {
                Assert.Fail($"{await NameOrUnknownAsync()}'s call ended ({Reading.Exception?.InnerException?.Message ?? "OK"}) before it received {what}.");
            }
            await arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public static string Describe(ChatMessage message) => message.Kind == Kind.Message ? $"{message.UserId}: {message.Text[..Math.Min(40, message.Text.Length)]}" : $"{message.UserId} {message.Text}";

    public void Dispose() => call.Dispose();

    private async Task<string> NameOrUnknownAsync() => name.Task.IsCompleted ? await name.Task : "a member";

    private async Task ReadAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                if (message.Kind == Kind.Joined && !name.Task.IsCompleted)
                {
                    name.TrySetResult(message.UserId);
                }
                lock (received)
                {
                    received.Add(message);
                }
                arrived.Release();
            }
        }
        catch (Exception ex)
        {
            // A call that fails before the join notice fails JoinAsync with the same error.
            name.TrySetException(ex);
            throw;
        }
        finally
        {
            name.TrySetException(new InvalidOperationException("The call ended before the member's join notice."));
            arrived.Release();
        }
    }
}
