using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Chapter05;

/// <summary>
/// The server side of chapter 5. Each member's JoinChat call runs two loops side by side:
/// one reads what the member says and broadcasts it, the other writes the member's outbox
/// to its stream. Only that writer loop ever writes to the member's stream.
/// </summary>
public class ChatServiceImpl(ChatRoom room) : ChatService.ChatServiceBase
{
    // Exercise 5.3
    // snippet: join-chat
    public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
    {
        var member = room.Join();
        // This member's writer: the only code that writes to its stream, one message at a time.
        var writing = WriteOutboxAsync(member, responseStream);
        // Reading stops when the client goes away, or at once when the room drops this member.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, member.Dropped);
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(stopReading.Token))
            {
                if (message.Text.Length > ChatRoom.MaxTextLength)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"A message may have at most {ChatRoom.MaxTextLength} characters; this one has {message.Text.Length}."));
                }
                // The first line settles the member's name (the user_id it sent, if free); after
                // that the server decides who said it and when, whatever user_id a client sends.
                room.SettleName(member, message.UserId);
                room.Broadcast(new ChatMessage { UserId = member.Name, Text = message.Text, Timestamp = ChatRoom.Now() });
            }
        }
        catch (OperationCanceledException) when (member.DropReason is not null)
        {
            // Dropped by the room for falling behind: the status below says so.
        }
        finally
        {
            // However the call ends, the member leaves and the others hear it. Leaving closes
            // the outbox, so the writer sends what is still queued and then stops.
            room.Leave(member);
            await writing;
        }
        if (member.DropReason is { } reason)
        {
            throw new RpcException(reason);
        }
    }

    private static async Task WriteOutboxAsync(ChatMember member, IServerStreamWriter<ChatMessage> responseStream)
    {
        // Ends when the outbox is closed and empty. If the client has gone, WriteAsync throws
        // and the call is over anyway.
        await foreach (var message in member.Outbox.ReadAllAsync())
        {
            await responseStream.WriteAsync(message);
        }
    }
    // end snippet
}
