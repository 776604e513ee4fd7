using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter05.Tests;

/// <summary>A weak suite: a member joins, talks and leaves, and nothing is checked.</summary>
public class ChatServiceTests
{
    [Test]
    public async Task A_member_talks()
    {
        var context = TestServerCallContext.Create("/x/y", "localhost", DateTime.UtcNow.AddMinutes(1), new Metadata(), default,
            "ipv4:127.0.0.1:50051", null, null, _ => Task.CompletedTask, () => null, _ => { });
        var sends = InMemoryStreamReader.Of(new ChatMessage { Text = "hi" });
        var receives = new InMemoryServerStreamWriter<ChatMessage>();
        await new ChatServiceImpl(new ChatRoom()).JoinChat(sends, receives, context).WaitAsync(TimeSpan.FromSeconds(5));
        receives.Complete();
    }
}
