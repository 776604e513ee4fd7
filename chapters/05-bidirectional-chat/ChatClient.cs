using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Chapter05;

/// <summary>The client side of chapter 5: one member's conversation, and how its lines look.</summary>
public static class ChatClient
{
    // Exercise 5.4
    /// <summary>
    /// How a message looks on screen, the server's timestamp in local time:
    /// <c>[14:30:10] Client(1): Hello everyone!</c> for a line, <c>[14:30:00] Client(1) has joined the chat</c> for a notice.
    /// </summary>
    public static string FormatLine(ChatMessage message)
    {
        // TODO 5.4: turn message.Timestamp (seconds since the Unix epoch, UTC) into your local
        //           time of day, 24-hour with two digits each: 09:05:03, 23:59:59. Then:
        //           - a member's line (Kind.Message):   [14:30:10] Client(1): Hello everyone!
        //           - a notice (any other kind, even one you don't know): [14:30:00] Client(2) has joined the chat
        //             (no colon: the text of a notice goes on from the member's name).
        //           Any message a server sends must be shown, never crash the client: a timestamp
        //           above 99,999,999,999 (or below -99,999,999,999) is in milliseconds, and one
        //           that is still no date DateTimeOffset can hold shows as --:--:--.
        throw new NotImplementedException("TODO 5.4: FormatLine");
    }

    // Exercise 5.5
    /// <summary>
    /// Joins the room and chats: sends each line as it comes, with <paramref name="name"/> as its
    /// user_id (none when null: the room then numbers the member), until a line <c>exit</c> or the
    /// end of the lines, while handing every incoming message to <paramref name="onMessage"/>.
    /// Returns when the server has ended the call; throws its RpcException if it ended with an error.
    /// </summary>
    public static async Task ChatAsync(ChatService.ChatServiceClient client, IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, CancellationToken cancellationToken = default,
        string? name = null)
    {
        // TODO 5.5: make one JoinChat call (pass the cancellationToken) and do two things at once:
        //           - receive: hand every message the server sends to onMessage, in order, from the
        //             start. Messages arrive while you wait for the user to type, so this runs beside
        //             the sending, not after it.
        //           - send: each line as a ChatMessage with that Text and your name (empty if
        //             `name` is null), until a line that is "exit"
        //             (ignoring case and spaces around it, and not sent) or the end of the lines.
        //             Then tell the server you have left.
        //           Return once the server has ended the call (every message handed to onMessage).
        //           If the server ends the call with an error, even while you wait for the next
        //           line, stop waiting and let its RpcException reach the caller.
        throw new NotImplementedException("TODO 5.5: ChatAsync");
    }
}
