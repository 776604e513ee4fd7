// Wrong service: a JoinChat that passes on a message of any length.
using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Chapter05;

public class ChatServiceImpl
{
    public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
    {
        var member = room.Join();
        var writing = WriteOutboxAsync(member, responseStream);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, member.Dropped);
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(stopReading.Token))
            {
                room.Broadcast(new ChatMessage { UserId = member.Name, Text = message.Text, Timestamp = ChatRoom.Now() });
            }
        }
        catch (OperationCanceledException) when (member.DropReason is not null)
        {
        }
        finally
        {
            room.Leave(member);
            await writing;
        }
        if (member.DropReason is { } reason)
        {
            throw new RpcException(reason);
        }
    }
}
