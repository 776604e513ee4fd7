// Wrong service: a JoinChat that passes on the name the client wrote in its message, so anyone can speak as anyone.
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
                if (message.Text.Length > ChatRoom.MaxTextLength)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "Message too long."));
                }
                var name = string.IsNullOrEmpty(message.UserId) ? member.Name : message.UserId;
                room.Broadcast(new ChatMessage { UserId = name, Text = message.Text, Timestamp = ChatRoom.Now() });
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
