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
    public override Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
    {
        // TODO 5.3: one member's whole stay in the room, from room.Join() to room.Leave(member).
        //           - Join, then start WriteOutboxAsync (below) for the new member without awaiting
        //             it: it runs beside the read loop. Only that writer ever writes to responseStream.
        //           - Read the member's messages until the client completes its stream. Before
        //             broadcasting a line, call room.SettleName(member, message.UserId): the first
        //             line gives the member the name it asked for, if it is free. Broadcast each as
        //             a new ChatMessage: the server decides who said it (member.Name, whatever
        //             user_id the client sent) and when (ChatRoom.Now()). A text longer than
        //             ChatRoom.MaxTextLength ends the call with StatusCode.InvalidArgument.
        //           - Stop reading when the client goes away (context.CancellationToken) or the
        //             room drops the member (member.Dropped). A dropped member's call ends with the
        //             room's reason: if (member.DropReason is { } reason) throw new RpcException(reason);
        //           - However the call ends, the member leaves the room (try/finally), and the
        //             call ends only after the writer has sent what is still in the outbox.
        throw new NotImplementedException("TODO 5.3: JoinChat");
    }

    // Part of exercise 5.3: the member's writer, started by JoinChat.
    private static Task WriteOutboxAsync(ChatMember member, IServerStreamWriter<ChatMessage> responseStream)
    {
        // TODO 5.3: write each message of member.Outbox to responseStream, in order, one at a
        //           time (await each WriteAsync), until the outbox is closed and empty.
        throw new NotImplementedException("TODO 5.3: WriteOutboxAsync");
    }
}
