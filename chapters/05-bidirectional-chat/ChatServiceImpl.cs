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
    public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
    {
        // TODO 5.3: one member's whole stay in the room, from room.Join() to room.Leave(member).
        //           - Start the member's writer (WriteOutboxAsync, below) so it runs beside the reading:
        //             only that writer ever writes to responseStream.
        //           - The member's first line settles its name: hand its user_id to room.SettleName.
        //           - Broadcast each message the member sends, as a new ChatMessage: the server decides
        //             who said it (member.Name, whatever user_id the client sent) and when (ChatRoom.Now()).
        //             A text longer than ChatRoom.MaxTextLength is the caller's mistake.
        //           - Stop reading when the client goes away or the room drops the member (member.Dropped);
        //             a dropped member's call ends with the room's reason (member.DropReason).
        //           - However the call ends, the member leaves the room, and the call ends only after
        //             the writer has sent what is still in the outbox.
        throw new NotImplementedException("TODO 5.3: JoinChat");
    }

    // Part of exercise 5.3: the member's writer, started by JoinChat.
    private static async Task WriteOutboxAsync(ChatMember member, IServerStreamWriter<ChatMessage> responseStream)
    {
        // TODO 5.3: write each message of member.Outbox to responseStream, in order and one at a
        //           time, until the outbox is closed and empty.
        throw new NotImplementedException("TODO 5.3: WriteOutboxAsync");
    }
}
